using Divvy.Jobs;
using Divvy.Protocol;

namespace Divvy.Scheduling;

internal sealed partial class Scheduler
{
    private readonly List<WorkerFailure> _bootFailures = [];

    private void Handle(SchedulerEvent next)
    {
        switch (next)
        {
            case MessageArrived arrived:
                OnMessage(arrived.Worker, arrived.Message);
                break;
            case WorkerEnded ended:
                OnWorkerEnded(ended);
                break;
            case DispatchEnded dispatchEnded:
                _dispatchEnded = true;
                if (dispatchEnded.Error is not null)
                {
                    // Items already accepted still run; the error surfaces when they have settled.
                    Log.DispatchFailed(_log, dispatchEnded.Error);
                    _fatal ??= dispatchEnded.Error;
                }

                break;
            case StopRequested stop:
                Stop(stop.Reason, stop.Force);
                break;
            case TimerFired { Purpose: TimerPurpose.Spawn }:
                _spawnTimer?.Dispose();
                _spawnTimer = null;
                break;
            case TimerFired { Purpose: TimerPurpose.ShutdownDeadline }:
                KillAll("did not stop within MasterOptions.ShutdownTimeout");
                break;
        }
    }

    private void OnMessage(WorkerConnection worker, Message message)
    {
        switch (message)
        {
            case ReadyMessage ready when ready.ProtocolVersion != WireProtocol.Version:
                worker.FatalReason = new RemoteError(typeof(ProtocolException).FullName!, $"protocol version mismatch: the master speaks {WireProtocol.Version}, the worker {ready.ProtocolVersion}", "");
                worker.Process.Kill();
                break;
            case ReadyMessage:
                worker.IsReady = true;
                Log.WorkerReady(_log, worker.Info.ToString());
                break;
            case ResultMessage result when Settle(worker, result.Id) is { } item:
                TimeSpan duration = TimeSpan.FromTicks(result.ElapsedTicks);
                worker.Window.Observe(duration);
                _counts.Succeeded++;
                CallHook(() => _job.ReportSucceeded(item, result.Payload, worker.Info, duration));
                break;
            case FailureMessage failure when Settle(worker, failure.Id) is { } item:
                worker.Window.Observe(TimeSpan.FromTicks(failure.ElapsedTicks));
                _counts.Failed++;
                Log.ItemFailed(_log, item.Id, worker.Info.ToString(), failure.Error.ToString());
                CallHook(() => _job.ReportFailed(item, failure.Error, worker.Info, TimeSpan.FromTicks(failure.ElapsedTicks)));
                break;
            case FatalMessage fatal:
                worker.FatalReason = fatal.Error;
                Log.WorkerFatal(_log, worker.Info.ToString(), fatal.Stage, fatal.Error.ToString());
                break;
        }
    }

    /// <summary>Takes the settled item off the worker; the worker performs in order, so it must be the oldest.</summary>
    private DispatchedItem? Settle(WorkerConnection worker, long id)
    {
        if (!worker.InFlight.TryPeek(out DispatchedItem? oldest) || oldest.Id != id)
        {
            worker.FatalReason = new RemoteError(typeof(ProtocolException).FullName!, $"the worker settled item {id}, but the item it holds first is {(oldest is null ? "none" : oldest.Id)}", "");
            worker.Process.Kill();
            return null;
        }

        worker.InFlight.Dequeue();
        worker.Completed++;
        _bootFailures.Clear();
        return oldest;
    }

    private void OnWorkerEnded(WorkerEnded ended)
    {
        WorkerConnection worker = ended.Worker;
        int slot = worker.Process.Number - 1;
        if (ReferenceEquals(_slots[slot], worker))
        {
            _slots[slot] = null;
        }

        bool asked = ended.ChannelError is null && (worker.Process.WasKilled || (worker.StopSent && ended.Exit.ExitCode == 0));
        if (asked)
        {
            Log.WorkerExited(_log, worker.Info.ToString(), ended.Exit.ToString());
            _counts.NotPerformed += worker.InFlight.Count;
            worker.InFlight.Clear();
        }
        else
        {
            OnWorkerCrashed(worker, ended);
        }

        _ = worker.Process.DisposeAsync();
    }

    private void OnWorkerCrashed(WorkerConnection worker, WorkerEnded ended)
    {
        _counts.WorkerCrashes++;
        RemoteError? reason = worker.FatalReason ?? (ended.ChannelError is { } error ? RemoteError.From(error) : null);
        Log.WorkerCrashed(_log, worker.Info.ToString(), ended.Exit.ToString(), worker.InFlight.TryPeek(out DispatchedItem? held) ? held.Id : 0, reason?.ToString() ?? "");

        if (worker.InFlight.TryDequeue(out held))
        {
            _counts.Crashed++;
            CallHook(() => _job.ReportCrashed(held, worker.Info, ended.Exit));
        }

        // Items queued behind the one in progress were never started: send them again, first.
        if (worker.InFlight.Count > 0)
        {
            var again = new Queue<DispatchedItem>(worker.InFlight.Concat(_requeued));
            _requeued.Clear();
            foreach (DispatchedItem item in again)
            {
                _requeued.Enqueue(item);
            }

            worker.InFlight.Clear();
        }

        if (worker.Completed == 0)
        {
            _bootFailures.Add(new WorkerFailure(worker.Info, ended.Exit, reason, worker.Process.Tail.Snapshot()));
            if (_bootFailures.Count >= _options.MaxBootFailures)
            {
                Abort(new BootFailureException(_bootFailures.ToArray()));
            }
        }
    }
}
