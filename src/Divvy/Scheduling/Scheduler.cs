using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Divvy.Jobs;
using Divvy.Launching;
using Divvy.Metrics;
using Microsoft.Extensions.Logging;

namespace Divvy.Scheduling;

/// <summary>
/// Decides who gets which item. One loop reacts to everything; pipes, process exits, signals,
/// timers and the dispatch pump only post <see cref="SchedulerEvent"/>s to it. The state lives in
/// parts that each own theirs: the <see cref="WorkerPool"/> (slots, launches, incarnations), the
/// <see cref="ItemLedger"/> (queues and counts), the <see cref="AttemptPolicy"/> (retries, poison),
/// the <see cref="HaltMonitor"/>, the <see cref="Watchdog"/> and the <see cref="RunLifecycle"/>.
/// The partial files are the loop's reactions: <c>.Workers</c> to what workers say and how they end, <c>.Launching</c> bringing workers up, <c>.Items</c> settling
/// items, <c>.Stopping</c> ending the run.
/// </summary>
internal sealed partial class Scheduler : IDisposable
{
    /// <summary>Maximum workers, the same bound as <see cref="MasterOptions.Workers"/>.</summary>
    internal const int MaxWorkers = WorkerPool.MaxWorkers;

    private readonly IJob _job;
    private readonly MasterOptions _options;
    private readonly IWorkerLauncher _launcher;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly Channel<SchedulerEvent> _events = Channel.CreateUnbounded<SchedulerEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _dispatchCancel = new();
    private readonly WorkerPool _pool;
    private readonly ItemLedger _ledger = new();
    private readonly AttemptPolicy _policy;
    private readonly HaltMonitor _halt;
    private readonly RunLifecycle _run = new();
    private readonly Watchdog _watchdog;
    private readonly RetryTimer _retryTimer;
    private readonly RunStatistics _statistics = new();
    private readonly long _startedAt;
    private readonly Lock _progressGate = new();
    private RunProgress _progress;
    private RunMetrics? _metrics;

    /// <param name="job">The job.</param>
    /// <param name="options">The run's options.</param>
    /// <param name="launcher">How workers come to exist.</param>
    /// <param name="stream">Where a stream's reader takes settled items from; without one, a relay only when the job has <c>OnResultAsync</c>.</param>
    public Scheduler(IJob job, MasterOptions options, IWorkerLauncher launcher, ResultRelay? stream = null)
    {
        _job = job;
        _options = options;
        _launcher = launcher;
        _log = options.LoggerFactory.CreateLogger("Divvy.Master");
        _time = options.TimeProvider;
        _pool = new WorkerPool(options, _log, _events.Writer);
        _policy = new AttemptPolicy(options, new RetryBackoff(options.RetryBaseDelay, options.RetryMaxDelay, new Random()));
        _halt = new HaltMonitor(options.Halt);
        _watchdog = new Watchdog(options, _log);
        _retryTimer = new RetryTimer(_time, () => _events.Writer.TryWrite(new TimerFired(TimerPurpose.Retry)));
        _startedAt = _time.GetTimestamp();
        _journal = OpenJournal(options);
        _results = AttachResults(stream ?? ResultRelay.For(job));
    }

    /// <summary>
    /// The run's instruments; the master may expose them over HTTP. Created on first use: setting
    /// up a meter costs milliseconds, and nothing touches it before the first worker is launched,
    /// so a run's start does not wait for it.
    /// </summary>
    public RunMetrics Metrics => LazyInitializer.EnsureInitialized(ref _metrics);

    /// <summary>The latest progress snapshot; safe to read from any thread.</summary>
    public RunProgress Progress
    {
        get
        {
            lock (_progressGate)
            {
                return _progress;
            }
        }
    }

    /// <summary>The number of workers the run aims for now. Safe to read from any thread.</summary>
    public int TargetWorkers => _pool.Target;

    /// <summary>The run is over when no more work is taken and every worker is gone.</summary>
    private bool IsFinished => !_run.IsAccepting && _pool.Live == 0;

    /// <summary>Releases the run's meter, if it was created, closes the journal, ends the run's span if an exception cut the run short, and ends the relay of results (a run that never started leaves no reader waiting).</summary>
    public void Dispose()
    {
        EndRunSpan(null);
        _metrics?.Dispose();
        _journal?.Dispose();
        _skippedRoom.Dispose();
        _ = _results?.CompleteAsync();
    }

    /// <summary>Asks for a different number of workers. Thread-safe; used by the control endpoint, signals and <see cref="Master.Resize"/>.</summary>
    public void Resize(int workers) => _events.Writer.TryWrite(new ResizeRequested(workers));

    /// <summary>Asks for one worker more or fewer (SIGTTIN, SIGTTOU).</summary>
    public void ResizeBy(int delta) => _events.Writer.TryWrite(new ResizeRequested(delta, Relative: true));

    /// <summary>Asks the run to stop. Thread-safe; used by signal handlers and cancellation.</summary>
    public void RequestStop(StopReason reason, bool force) => _events.Writer.TryWrite(new StopRequested(reason, force));

    public async Task<RunSummary> RunAsync()
    {
        StartRunSpan();
        Task pump = Task.Run(() => PumpAsync(_dispatchCancel.Token));
        _watchdog.Start(() => _events.Writer.TryWrite(new TimerFired(TimerPurpose.Watchdog)));
        try
        {
            while (!IsFinished)
            {
                while (_events.Reader.TryRead(out SchedulerEvent? next))
                {
                    Handle(next);
                }

                ReleaseDueRetries();
                Assign();
                Publish();
                _journal?.Flush();
                if (IsFinished)
                {
                    break;
                }

                await WaitForWorkAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            StopTimers();
            _dispatchCancel.Cancel();
            foreach (WorkerConnection worker in _pool.Workers)
            {
                worker.Kill(KillReason.Shutdown);
            }

            await _pool.WhenAllEnded().ConfigureAwait(false);
        }

        SettleLeftovers();
        await FinishResultsAsync().ConfigureAwait(false);
        if (pump.IsCompleted)
        {
            await pump.ConfigureAwait(false);
        }

        Publish();
        PublishFinalSnapshot();
        RunSummary summary = _ledger.Counts.ToSummary(_time.GetElapsedTime(_startedAt), _run.StopReason ?? StopReason.Completed, _halt.Reason, _statistics);
        if (_log.IsEnabled(LogLevel.Information))
        {
            Log.RunFinished(_log, summary.ToString());
        }

        EndRunSpan(summary);
        Complete(summary);

        if (_run.Fatal is { } fatal)
        {
            ExceptionDispatchInfo.Throw(fatal);
        }

        return summary;
    }

    private void Handle(SchedulerEvent next)
    {
        switch (next)
        {
            case MessagesArrived arrived:
                OnMessages(arrived);
                break;
            case WorkerEnded ended:
                OnWorkerEnded(ended);
                break;
            case LaunchEnded launch:
                OnLaunchEnded(launch);
                break;
            case DispatchEnded dispatchEnded:
                OnDispatchEnded(dispatchEnded);
                break;
            case ItemsSkipped skipped:
                OnItemsSkipped(skipped);
                break;
            case ResultHookFailed failed:
                OnResultHookFailed(failed.Error);
                break;
            case SpawnPrepared prepared:
                OnSpawnPrepared(prepared);
                break;
            case StopRequested stop:
                Stop(stop.Reason, stop.Force);
                break;
            case SnapshotRequested snapshot:
                snapshot.Reply.TrySetResult(TakeSnapshot(finished: false));
                break;
            case ResizeRequested resize:
                _pool.Resize(resize.Workers, resize.Relative);
                break;
            case TimerFired { Purpose: TimerPurpose.Spawn }:
                _pool.ThrottleElapsed();
                break;
            case TimerFired { Purpose: TimerPurpose.Retry }:
                _retryTimer.Fired();
                break;
            case TimerFired { Purpose: TimerPurpose.Watchdog }:
                _watchdog.Check(_pool.Workers);
                _watchdog.RetireBeforeWalltime(_pool.Workers, _statistics.Longest);
                break;
            case TimerFired { Purpose: TimerPurpose.ShutdownDeadline }:
                _pool.KillAll($"did not stop within {Options.OptionText.Duration(_options.ShutdownTimeout)} (MasterOptions.ShutdownTimeout, divvy --shutdown-timeout)");
                break;
        }
    }

    /// <summary>Hands queued items to workers with room, and launches workers where items wait and slots are empty.</summary>
    private void Assign()
    {
        if (!_run.IsAccepting)
        {
            return;
        }

        long now = _time.GetTimestamp();
        foreach (WorkerConnection worker in _pool.Workers)
        {
            while (worker.SpareCapacity > 0 && !ResultsBackedUp && TryTakeItem(worker.Holding == 0, out DispatchedItem? item))
            {
                if (item.Payload.Length > _options.MaxFrameSize - 64)
                {
                    RejectOversized(item, worker.Info);
                    continue;
                }

                StartAttemptSpan(item, worker);
                worker.Send(item, now);
            }

            worker.Flush();
        }

        if (!ResultsBackedUp)
        {
            SpawnWhereNeeded();
        }

        if (_run.DispatchEnded && _ledger.Waiting == 0 && _ledger.Delayed == 0 && _pool.Holding == 0)
        {
            BeginStop(StopReason.Completed);
        }
    }

    private bool TryTakeItem(bool workerIsEmpty, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DispatchedItem? item)
    {
        if (!_ledger.TryTake(workerIsEmpty, out item, out bool fresh))
        {
            return false;
        }

        if (fresh)
        {
            Metrics.Dispatched();
        }

        return true;
    }

    /// <summary>Publishes gauges and the progress snapshot for readers on other threads.</summary>
    private void Publish()
    {
        int inFlight = 0;
        int alive = 0;
        foreach (WorkerConnection worker in _pool.Workers)
        {
            alive++;
            inFlight += worker.Holding;
        }

        RunCounters counts = _ledger.Counts;
        _metrics?.Publish(inFlight, alive, _ledger.Waiting + _ledger.Delayed, _pool.Target);
        var progress = new RunProgress(counts.Dispatched, counts.Succeeded, counts.Failures, inFlight, alive, _pool.Target, _time.GetElapsedTime(_startedAt)) { Skipped = counts.Skipped };
        lock (_progressGate)
        {
            _progress = progress;
        }
    }

    /// <summary>Sleeps until an event arrives; the pump posts one when the dispatch queue stops being empty.</summary>
    private ValueTask<bool> WaitForWorkAsync() => _events.Reader.WaitToReadAsync();

    /// <summary>Runs a user hook in the master; if it throws, the run stops and rethrows it at the end.</summary>
    private void CallHook(Action hook)
    {
        try
        {
            hook();
        }
        catch (Exception ex)
        {
            HookFailed(ex);
        }
    }

    /// <summary>User code failed in the master: stop taking work and surface the first such error.</summary>
    private void HookFailed(Exception error)
    {
        Log.HookFailed(_log, error);
        Fail(error);
    }
}
