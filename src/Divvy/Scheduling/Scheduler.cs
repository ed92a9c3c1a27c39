using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Divvy.Jobs;
using Divvy.Launching;
using Divvy.Metrics;
using Microsoft.Extensions.Logging;

namespace Divvy.Scheduling;

/// <summary>
/// Decides who gets which item. One loop owns all run state; pipes, process exits, signals, timers
/// and the dispatch pump only post <see cref="SchedulerEvent"/>s to it. Partial files split it by
/// concern: this one is the loop and assignment, <c>.Events</c> reacts to workers, <c>.Attempts</c>
/// settles items (retries, poison, halting), <c>.Watchdog</c> enforces timeouts and heartbeats,
/// <c>.Spawning</c> launches workers, <c>.Shutdown</c> ends the run.
/// </summary>
internal sealed partial class Scheduler : IDisposable
{
    private const int DispatchQueueCapacity = 1024;
    private const long DispatchQueueBytes = 4 * 1024 * 1024;

    private readonly IJob _job;
    private readonly MasterOptions _options;
    private readonly IWorkerLauncher _launcher;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly Channel<SchedulerEvent> _events = Channel.CreateUnbounded<SchedulerEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly DispatchQueue _dispatched = new(DispatchQueueCapacity, DispatchQueueBytes);
    private readonly Queue<DispatchedItem> _requeued = new();
    private readonly List<WorkerConnection?> _slots;
    private readonly List<Task> _supervisors = [];
    private readonly SpawnThrottle _throttle;
    private readonly RunCounters _counts = new();
    private readonly CancellationTokenSource _dispatchCancel = new();

    private readonly RunStatistics _statistics = new();
    private readonly long _startedAt;
    private readonly Lock _progressGate = new();
    private RunProgress _progress;
    private RunMetrics? _metrics;
    private bool _dispatchEnded;
    private Exception? _fatal;

    public Scheduler(IJob job, MasterOptions options, IWorkerLauncher launcher)
    {
        _job = job;
        _options = options;
        _launcher = launcher;
        _log = options.LoggerFactory.CreateLogger("Divvy.Master");
        _time = options.TimeProvider;
        _slots = [.. new WorkerConnection?[options.Workers]];
        _target = options.Workers;
        _throttle = new SpawnThrottle(options.MaxSpawnsPerSecond, Math.Max(options.Workers, options.MaxSpawnsPerSecond), _time);
        _backoff = new RetryBackoff(options.RetryBaseDelay, options.RetryMaxDelay, new Random());
        _startedAt = _time.GetTimestamp();
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

    /// <summary>Releases the run's meter, if it was created.</summary>
    public void Dispose() => _metrics?.Dispose();

    /// <summary>Asks for a different number of workers. Thread-safe; used by the control endpoint, signals and <see cref="Master.Resize"/>.</summary>
    public void Resize(int workers) => _events.Writer.TryWrite(new ResizeRequested(workers));

    /// <summary>Asks for one worker more or fewer (SIGTTIN, SIGTTOU).</summary>
    public void ResizeBy(int delta) => _events.Writer.TryWrite(new ResizeRequested(delta, Relative: true));

    /// <summary>The number of workers the run aims for now. Safe to read from any thread.</summary>
    public int TargetWorkers => Volatile.Read(ref _target);

    /// <summary>Asks the run to stop. Thread-safe; used by signal handlers and cancellation.</summary>
    public void RequestStop(StopReason reason, bool force) => _events.Writer.TryWrite(new StopRequested(reason, force));

    public async Task<RunSummary> RunAsync()
    {
        long started = _startedAt;
        Task pump = Task.Run(() => PumpAsync(_dispatchCancel.Token));
        StartWatchdog();
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
            foreach (WorkerConnection? connection in _slots)
            {
                connection?.Kill(KillReason.Shutdown);
            }

            await Task.WhenAll(_supervisors).ConfigureAwait(false);
        }

        SettleLeftovers();
        if (pump.IsCompleted)
        {
            await pump.ConfigureAwait(false);
        }

        Publish();
        RunSummary summary = _counts.ToSummary(_time.GetElapsedTime(started), _stopReason ?? StopReason.Completed, _haltReason, _statistics);
        if (_log.IsEnabled(LogLevel.Information))
        {
            Log.RunFinished(_log, summary.ToString());
        }

        Complete(summary);

        if (_fatal is not null)
        {
            ExceptionDispatchInfo.Throw(_fatal);
        }

        return summary;
    }

    private int LiveWorkers => _slots.Count(s => s is not null);

    private int PendingItems => _requeued.Count + _dispatched.Count;

    private bool AnyInFlight => _slots.Any(s => s is { InFlight.Count: > 0 });

    /// <summary>Hands queued items to workers with room, and launches workers where items wait and slots are empty.</summary>
    private void Assign()
    {
        if (!_acceptingWork)
        {
            return;
        }

        long now = _time.GetTimestamp();
        foreach (WorkerConnection? connection in _slots)
        {
            if (connection is null)
            {
                continue;
            }

            while (connection.SpareCapacity > 0 && TryTakeItem(out DispatchedItem? item))
            {
                if (item.Payload.Length > _options.MaxFrameSize - 64)
                {
                    RejectOversized(item, connection.Info);
                    continue;
                }

                connection.Send(item, now);
            }

            connection.Flush();
        }

        SpawnWhereNeeded();

        if (_dispatchEnded && PendingItems == 0 && _delayed.Count == 0 && !AnyInFlight)
        {
            BeginStop(StopReason.Completed);
        }
    }

    private bool TryTakeItem([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DispatchedItem? item)
    {
        if (_requeued.TryDequeue(out item))
        {
            return true;
        }

        if (_dispatched.TryTake(out item))
        {
            _counts.Dispatched++;
            Metrics.Dispatched.Add(1);
            return true;
        }

        return false;
    }

    /// <summary>Publishes gauges and the progress snapshot for readers on other threads.</summary>
    private void Publish()
    {
        int inFlight = 0;
        int alive = 0;
        foreach (WorkerConnection? worker in _slots)
        {
            if (worker is not null)
            {
                alive++;
                inFlight += worker.InFlight.Count;
            }
        }

        _metrics?.Publish(inFlight, alive, PendingItems + _delayed.Count, _target);
        var progress = new RunProgress(_counts.Dispatched, _counts.Succeeded, _counts.Failures, inFlight, alive, _target, _time.GetElapsedTime(_startedAt));
        lock (_progressGate)
        {
            _progress = progress;
        }
    }

    /// <summary>Puts items a worker held but never started back at the front of the queue, in order.</summary>
    private void Requeue(IEnumerable<DispatchedItem> items)
    {
        var again = new Queue<DispatchedItem>(items.Concat(_requeued));
        _requeued.Clear();
        foreach (DispatchedItem item in again)
        {
            _requeued.Enqueue(item);
        }
    }

    private void RejectOversized(DispatchedItem item, WorkerInfo worker)
    {
        var error = new RemoteError(
            typeof(FrameTooLargeException).FullName!,
            $"item {item.Id} is {item.Payload.Length:N0} bytes serialized, over the maximum frame size of {_options.MaxFrameSize:N0} bytes (MasterOptions.MaxFrameSize, divvy --max-frame-size)",
            "");
        item.Attempts++;
        Finish(item, ItemStatus.Failed, null, error, worker, TimeSpan.Zero, null);
    }

    /// <summary>Sleeps until an event arrives; the pump posts one when the dispatch queue stops being empty.</summary>
    private ValueTask<bool> WaitForWorkAsync() => _events.Reader.WaitToReadAsync();

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        Exception? error = null;
        DispatchedItem? held = null;
        try
        {
            if (_job.Shape.DispatchesSynchronously)
            {
                // A plain IEnumerable: no async iterator per item, just the queue.
                foreach (DispatchedItem item in _job.Dispatch())
                {
                    held = item;
                    cancellationToken.ThrowIfCancellationRequested();
                    await EnqueueAsync(item, cancellationToken).ConfigureAwait(false);
                    held = null;
                }
            }
            else
            {
                await foreach (DispatchedItem item in _job.DispatchAsync(cancellationToken).ConfigureAwait(false))
                {
                    held = item;
                    await EnqueueAsync(item, cancellationToken).ConfigureAwait(false);
                    held = null;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run stopped early and said so; a cancelled Dispatch is not an error. An item
            // Dispatch yielded but the queue never took is still the caller's: it settles as not performed.
        }
        catch (Exception ex)
        {
            // Dispatch is user code: whatever it throws ends the run, after accepted items settle.
            error = ex;
        }

        _events.Writer.TryWrite(new DispatchEnded(error, held));
    }

    private async ValueTask EnqueueAsync(DispatchedItem item, CancellationToken cancellationToken)
    {
        if (await _dispatched.AddAsync(item, cancellationToken).ConfigureAwait(false))
        {
            // The queue was empty: the loop may be asleep with a worker free.
            _events.Writer.TryWrite(ItemsQueued.Instance);
        }
    }

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
