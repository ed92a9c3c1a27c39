using Divvy.Jobs;
using Divvy.Launching;
using Divvy.Protocol;
using Microsoft.Extensions.Logging;

namespace Divvy.Scheduling;

internal sealed partial class Scheduler
{
    private readonly List<WorkerFailure> _bootFailures = [];

    private void Handle(SchedulerEvent next)
    {
        switch (next)
        {
            case MessagesArrived arrived:
                arrived.Worker.LastHeard = _time.GetTimestamp();
                foreach (Message message in arrived.Messages)
                {
                    OnMessage(arrived.Worker, message);
                }

                break;
            case WorkerEnded ended:
                OnWorkerEnded(ended);
                break;
            case DispatchEnded dispatchEnded:
                OnDispatchEnded(dispatchEnded);
                break;
            case StopRequested stop:
                Stop(stop.Reason, stop.Force);
                break;
            case ResizeRequested resize:
                OnResize(resize);
                break;
            case TimerFired { Purpose: TimerPurpose.Spawn }:
                _spawnTimer?.Dispose();
                _spawnTimer = null;
                break;
            case TimerFired { Purpose: TimerPurpose.Retry }:
                _retryTimerDue = long.MaxValue;
                break;
            case TimerFired { Purpose: TimerPurpose.Watchdog }:
                CheckDeadlinesAndHeartbeats();
                break;
            case TimerFired { Purpose: TimerPurpose.ShutdownDeadline }:
                KillAll($"did not stop within {Options.OptionText.Duration(_options.ShutdownTimeout)} (MasterOptions.ShutdownTimeout, divvy --shutdown-timeout)");
                break;
        }
    }

    private void OnDispatchEnded(DispatchEnded ended)
    {
        _dispatchEnded = true;
        if (ended.Unqueued is { } unqueued)
        {
            _counts.Dispatched++;
            Abandon(unqueued, new WorkerInfo(0, null));
        }

        if (ended.Error is ItemSerializationException)
        {
            // Not Dispatch's fault, and the exception Run throws says all there is to say: logging
            // it as well would print the same line twice wherever the log goes to the console.
            _fatal ??= ended.Error;
        }
        else if (ended.Error is not null)
        {
            // Items already accepted still run; the error surfaces when they have settled.
            Log.DispatchFailed(_log, ended.Error);
            _fatal ??= ended.Error;
        }
    }

    private void OnMessage(WorkerConnection worker, Message message)
    {
        switch (message)
        {
            case ReadyMessage ready when ready.ProtocolVersion != WireProtocol.Version:
                worker.FatalReason = new RemoteError(typeof(ProtocolException).FullName!, $"protocol version mismatch: the master speaks {WireProtocol.Version}, the worker {ready.ProtocolVersion}", "");
                worker.Kill(KillReason.ProtocolError);
                break;
            case ReadyMessage:
                worker.IsReady = true;
                Log.WorkerReady(_log, worker.Info.ToString());
                break;
            case ResultMessage result when Settle(worker, result.Id) is { } item:
                TimeSpan duration = TimeSpan.FromTicks(result.ElapsedTicks);
                worker.Window.Observe(duration, item.Payload.Length);
                if (_job.TryReadResult(result.Payload, out object? value, out RemoteError? unreadable))
                {
                    SettleAttempt(item, AttemptOutcome.Succeeded, worker.Info, duration, null, null, value);
                }
                else
                {
                    SettleAttempt(item, AttemptOutcome.Failed, worker.Info, duration, unreadable, null, null);
                }

                StopIfDrained(worker);
                break;
            case FailureMessage failure when Settle(worker, failure.Id) is { } item:
                TimeSpan elapsed = TimeSpan.FromTicks(failure.ElapsedTicks);
                worker.Window.Observe(elapsed, item.Payload.Length);
                AttemptOutcome outcome = failure.Failure switch
                {
                    FailureKind.Permanent => AttemptOutcome.Failed,
                    FailureKind.TimedOut => AttemptOutcome.TimedOut,
                    _ => AttemptOutcome.Retry,
                };
                SettleAttempt(item, outcome, worker.Info, elapsed, failure.Error, null, null);
                StopIfDrained(worker);
                break;
            case RetiringMessage retiring:
                // The worker performs nothing after this: whatever it still holds goes elsewhere.
                worker.Retiring = retiring.Reason;
                Log.WorkerRecycling(_log, worker.Info.ToString(), retiring.Reason.ToString());
                Requeue(worker.InFlight);
                worker.InFlight.Clear();
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
            worker.Kill(KillReason.ProtocolError);
            return null;
        }

        worker.InFlight.Dequeue();
        worker.HeadStartedAt = _time.GetTimestamp();
        worker.Completed++;
        _bootFailures.Clear();
        return oldest;
    }

    private void OnWorkerEnded(WorkerEnded ended)
    {
        WorkerConnection worker = ended.Worker;
        int slot = worker.Number - 1;
        if (ReferenceEquals(_slots[slot], worker))
        {
            _slots[slot] = null;
        }

        bool cleanExit = ended.ChannelError is null && ended.End.IsSuccess && (worker.StopSent || worker.Retiring is not null);
        RecordVacancy(slot, worker, cleanExit);
        switch (worker.Killed)
        {
            case KillReason.HardTimeout:
                _counts.WorkersTimedOut++;
                Log.WorkerExited(_log, worker.Info.ToString(), $"killed at the hard deadline: {ended.End}");
                SettleHead(worker, AttemptOutcome.TimedOut, ended.Exit, TimedOutError(worker));
                break;
            case KillReason.Unresponsive:
                _counts.WorkersUnresponsive++;
                Log.WorkerExited(_log, worker.Info.ToString(), $"killed for not answering heartbeats: {ended.End}");
                SettleHead(worker, AttemptOutcome.Crashed, ended.Exit, new RemoteError("Divvy.WorkerUnresponsive", $"{worker.Info} stopped answering for {_options.HeartbeatTimeout.TotalSeconds:F1} s (MasterOptions.HeartbeatTimeout) and was killed", ""));
                break;
            case KillReason.Shutdown:
            case null when cleanExit:
                if (worker.Retiring is not null && worker.Killed is null)
                {
                    _counts.WorkersRecycled++;
                }

                Log.WorkerExited(_log, worker.Info.ToString(), ended.End.ToString());
                foreach (DispatchedItem item in worker.InFlight)
                {
                    Abandon(item, worker.Info);
                }

                worker.InFlight.Clear();
                break;
            default:
                OnWorkerCrashed(worker, ended);
                break;
        }

        _ = worker.Handle.DisposeAsync();
    }

    private RemoteError TimedOutError(WorkerConnection worker) => new(
        "Divvy.ItemTimedOut",
        $"still running {(_options.ItemTimeout ?? TimeSpan.Zero).TotalSeconds:F1} s (MasterOptions.ItemTimeout, divvy --timeout) + {_options.ItemTimeoutGrace.TotalSeconds:F1} s grace after its token was cancelled; {worker.Info} was killed",
        "");

    /// <summary>The item in progress gets the given outcome; items queued behind it go back to the queue.</summary>
    private void SettleHead(WorkerConnection worker, AttemptOutcome outcome, WorkerExit exit, RemoteError error)
    {
        if (worker.InFlight.TryDequeue(out DispatchedItem? held))
        {
            TimeSpan ran = outcome == AttemptOutcome.Crashed ? TimeSpan.Zero : _time.GetElapsedTime(worker.HeadStartedAt);
            Requeue(worker.InFlight);
            worker.InFlight.Clear();
            SettleAttempt(held, outcome, worker.Info, ran, error, exit, null);
        }
    }

    private void OnWorkerCrashed(WorkerConnection worker, WorkerEnded ended)
    {
        _counts.WorkerCrashes++;
        RemoteError? reason = worker.FatalReason ?? (ended.ChannelError is { } error ? RemoteError.From(error) : null);
        if (worker.Completed == 0)
        {
            // A death at boot says the same thing in every worker: the first one is worth a warning,
            // the rest come in one block with the BootFailureException if they keep coming.
            LogLevel level = _bootFailures.Count == 0 ? LogLevel.Warning : LogLevel.Debug;
            Log.WorkerDiedAtBoot(_log, level, worker.Info.ToString(), ended.End.ToString(), reason is null ? "" : $": {reason}");
        }
        else
        {
            Log.WorkerCrashed(_log, worker.Info.ToString(), ended.End.ToString(), worker.InFlight.TryPeek(out DispatchedItem? held) ? $"item {held.Id}" : "no item", reason is null ? "" : $": {reason}");
        }

        SettleHead(worker, AttemptOutcome.Crashed, ended.Exit, reason ?? new RemoteError("Divvy.WorkerCrashed", $"{worker.Info} {ended.End} while performing the item", ""));

        if (worker.Completed == 0)
        {
            _bootFailures.Add(new WorkerFailure(worker.Info, ended.Exit, reason, worker.Handle.DiagnosticTail));
            if (_bootFailures.Count >= _options.MaxBootFailures)
            {
                Abort(new BootFailureException(_bootFailures.ToArray(), _options.Vocabulary.Name(nameof(MasterOptions.MaxBootFailures))));
            }
        }
    }
}
