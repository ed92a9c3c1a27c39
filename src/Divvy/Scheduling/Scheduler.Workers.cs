using Divvy.Jobs;
using Divvy.Launching;
using Divvy.Protocol;
using Microsoft.Extensions.Logging;

namespace Divvy.Scheduling;

internal sealed partial class Scheduler
{
    private void OnMessages(MessagesArrived arrived)
    {
        WorkerConnection worker = arrived.Worker;
        worker.Heard(_time.GetTimestamp());
        foreach (Message message in arrived.Messages)
        {
            if (worker.State == WorkerState.Killed)
            {
                // Fenced: the worker was written off, and what it held settles through that path.
                RefuseLate(worker, message);
            }
            else
            {
                OnMessage(worker, message);
            }

            // The results are read (deserialized into values of their own) or refused: their frame can be reused.
            (message as ResultsMessage)?.Lease?.Release();
        }
    }

    /// <summary>A written-off worker still talks (its words were on their way, or it came back): results are counted and dropped.</summary>
    private void RefuseLate(WorkerConnection worker, Message message)
    {
        (long? item, int count) = message switch
        {
            ResultMessage result => (result.Id, 1),
            FailureMessage failure => (failure.Id, 1),
            ResultsMessage { Results.Length: > 0 } results => (results.Results[0].Id, results.Results.Length),
            _ => ((long?)null, 0),
        };
        if (item is not { } id)
        {
            return;
        }

        CountLate(count);
        if (worker.RefuseLate())
        {
            Log.LateResultRefused(_log, worker.Name, worker.KilledFor.ToString()!, id);
        }
    }

    private void CountLate(int results)
    {
        _ledger.Counts.LateResultsRejected += results;
        Metrics.LateResultsRejected(results);
    }

    private void OnMessage(WorkerConnection worker, Message message)
    {
        switch (message)
        {
            case ReadyMessage ready when ready.ProtocolVersion != WireProtocol.Version:
                worker.Refuse(new RemoteError(RemoteErrorKind.ProtocolViolation, $"protocol version mismatch: the master speaks {WireProtocol.Version}, the worker {ready.ProtocolVersion}"));
                break;
            case ReadyMessage ready:
                worker.MarkReady(ready);
                Log.WorkerReady(_log, worker.Name);
                break;
            case ResultMessage result:
                OnResult(worker, new ResultEntry(result.Id, result.ElapsedTicks, result.Payload));
                break;
            case ResultsMessage results:
                foreach (ResultEntry result in results.Results)
                {
                    if (worker.State == WorkerState.Killed)
                    {
                        // Refused part-way (a result for an item it does not hold): the rest are late too.
                        CountLate(1);
                        continue;
                    }

                    OnResult(worker, result);
                }

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
                // A result the attempt carried that this master cannot read is left out: the failure stands as it is.
                object? carried = failure.Result is { } payload && _job.TryReadResult(payload, out object? value, out _) ? value : null;
                SettleAttempt(item, outcome, worker.Info, elapsed, failure.Error, null, carried);
                worker.StopIfDrained();
                break;
            case RetiringMessage retiring:
                // The worker performs nothing after this: whatever it still holds goes elsewhere.
                Log.WorkerRecycling(_log, worker.Name, retiring.Reason.ToString());
                _ledger.Requeue(worker.MarkRetiring());
                break;
            case FatalMessage fatal:
                worker.NoteFatal(fatal.Error);
                Log.WorkerFatal(_log, worker.Name, fatal.Stage, fatal.Error.ToString());
                break;
        }
    }

    private void OnResult(WorkerConnection worker, ResultEntry result)
    {
        if (Settle(worker, result.Id) is not { } item)
        {
            return;
        }

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

        worker.StopIfDrained();
    }

    /// <summary>Takes the settled item off the worker; one it is not performing is a protocol violation.</summary>
    private DispatchedItem? Settle(WorkerConnection worker, long id)
    {
        if (worker.TakeSettled(id, _time.GetTimestamp()) is not { } settled)
        {
            // A refused settle leaves the running set as it was: it can still be named here.
            string running = RunningIds(worker);
            worker.Refuse(new RemoteError(RemoteErrorKind.ProtocolViolation, worker.Running > 1
                ? $"the worker settled item {id}, but the items it performs are {running}"
                : $"the worker settled item {id}, but the item it holds first is {running}"));
            return null;
        }

        _pool.Booted();
        return settled;
    }

    private void OnWorkerEnded(WorkerEnded ended)
    {
        WorkerConnection worker = ended.Worker;
        if (ended.ChannelError is WorkerSpawnException cannotConnect)
        {
            // The worker never connected, and the launcher says none will (nobody dialed in in time):
            // like a launch that failed, retrying will not help.
            _pool.Remove(worker, cleanExit: false, lost: false);
            Abort(cannotConnect);
            _ = worker.Handle.DisposeAsync();
            return;
        }

        bool cleanExit = ended.ChannelError is null && ended.End.IsSuccess && worker.State is WorkerState.Stopping or WorkerState.Retiring;
        // A connection that dropped (or that the master cut for its silence) is not the item's fault.
        bool lost = ended.End.Kind == WorkerEndKind.ConnectionLost && worker.KilledFor is null or KillReason.Unresponsive;
        _pool.Remove(worker, cleanExit, lost);
        switch (worker.KilledFor)
        {
            case KillReason.Unresponsive or null when lost:
                OnWorkerLost(worker, ended);
                break;
            case KillReason.HardTimeout:
                _ledger.Counts.WorkersTimedOut++;
                Log.WorkerExited(_log, worker.Name, $"killed at the hard deadline: {ended.End}");
                SettleRunning(worker, AttemptOutcome.TimedOut, ended.Exit, TimedOutError(worker));
                break;
            case KillReason.Unresponsive:
                _ledger.Counts.WorkersUnresponsive++;
                Log.WorkerExited(_log, worker.Name, $"killed for not answering heartbeats: {ended.End}");
                SettleRunning(worker, AttemptOutcome.Crashed, ended.Exit, new RemoteError(RemoteErrorKind.WorkerUnresponsive, $"{worker.Info} stopped answering for {_options.HeartbeatTimeout.TotalSeconds:F1} s (MasterOptions.HeartbeatTimeout) and was killed"));
                break;
            case KillReason.Shutdown:
            case null when cleanExit:
                if (worker.State == WorkerState.Retiring)
                {
                    _ledger.Counts.WorkersRecycled++;
                }

                Log.WorkerExited(_log, worker.Name, ended.End.ToString());
                foreach (DispatchedItem item in worker.TakeAll())
                {
                    Abandon(item, worker.Info);
                }

                break;
            default:
                OnWorkerCrashed(worker, ended);
                break;
        }

        _ = worker.Handle.DisposeAsync();
    }

    private void OnWorkerLost(WorkerConnection worker, WorkerEnded ended)
    {
        _ledger.Counts.WorkersLost++;
        if (worker.KilledFor == KillReason.Unresponsive)
        {
            _ledger.Counts.WorkersUnresponsive++;
        }

        Log.WorkerLost(_log, worker.Name, ended.End.ToString(), HeldItems(worker));
        SettleRunning(worker, AttemptOutcome.WorkerLost, ended.Exit, new RemoteError(RemoteErrorKind.WorkerLost, $"{worker.Info} {ended.End} while performing the item; sent again (MasterOptions.MaxConnectionLosses, divvy --max-connection-losses)"));
    }

    private RemoteError TimedOutError(WorkerConnection worker) => new(
        RemoteErrorKind.ItemTimedOut,
        $"still running {(_options.ItemTimeout ?? TimeSpan.Zero).TotalSeconds:F1} s (MasterOptions.ItemTimeout, divvy --timeout) + {_options.ItemTimeoutGrace.TotalSeconds:F1} s grace after its token was cancelled; {worker.Info} was killed");

    /// <summary>What a worker that ended was running, for its log line: <c>item 7</c>, <c>items 7, 8</c> or <c>no item</c>.</summary>
    private static string HeldItems(WorkerConnection worker) => worker.Running switch
    {
        0 => "no item",
        1 => $"item {RunningIds(worker)}",
        _ => $"items {RunningIds(worker)}",
    };

    /// <summary>The ids of the items the worker performs, for messages: <c>none</c>, <c>7</c> or <c>7, 8, 9</c>.</summary>
    private static string RunningIds(WorkerConnection worker) => worker.Running switch
    {
        0 => "none",
        1 => worker.RunningItem(0).Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        int n => string.Join(", ", Enumerable.Range(0, n).Select(i => worker.RunningItem(i).Id)),
    };

    /// <summary>
    /// The items in progress get the given outcome; items queued behind them go back to the queue.
    /// With several running (<see cref="MasterOptions.MaxConcurrentItemsPerWorker"/>), a crash is
    /// charged to each as a shared one (see <see cref="AttemptPolicy.Decide"/>), and a hard timeout
    /// only to the items past their deadline: the others were cut short by the master and go back
    /// to the queue without an attempt used.
    /// </summary>
    private void SettleRunning(WorkerConnection worker, AttemptOutcome outcome, WorkerExit exit, RemoteError error)
    {
        int running = worker.Running;
        if (running == 0)
        {
            _ledger.Requeue(worker.TakeAll());
            return;
        }

        long now = _time.GetTimestamp();
        var ran = new TimeSpan[running];
        for (int i = 0; i < running; i++)
        {
            ran[i] = _time.GetElapsedTime(worker.StartedAt(i), now);
        }

        IReadOnlyList<DispatchedItem> held = worker.TakeAll();
        TimeSpan limit = (_options.ItemTimeout ?? TimeSpan.Zero) + _options.ItemTimeoutGrace;
        var charged = new List<int>(running);
        var again = new List<DispatchedItem>(held.Count);
        for (int i = 0; i < running; i++)
        {
            // Running items start in send order, so the first is past its deadline if any is.
            if (outcome == AttemptOutcome.TimedOut && i > 0 && ran[i] <= limit)
            {
                again.Add(held[i]);
            }
            else
            {
                charged.Add(i);
            }
        }

        for (int i = running; i < held.Count; i++)
        {
            again.Add(held[i]);
        }
        _ledger.Requeue(again);
        foreach (int i in charged)
        {
            TimeSpan duration = outcome is AttemptOutcome.Crashed or AttemptOutcome.WorkerLost ? TimeSpan.Zero : ran[i];
            SettleAttempt(held[i], outcome, worker.Info, duration, error, exit, null, sharedCrash: running > 1);
        }
    }

    private void OnWorkerCrashed(WorkerConnection worker, WorkerEnded ended)
    {
        _ledger.Counts.WorkerCrashes++;
        RemoteError? reason = worker.FatalReason ?? (ended.ChannelError is { } error ? RemoteError.From(error) : null);
        if (worker.Completed == 0)
        {
            // A death at boot says the same thing in every worker: the first one is worth a warning,
            // the rest come in one block with the BootFailureException if they keep coming.
            LogLevel level = _pool.BootFailures.Count == 0 ? LogLevel.Warning : LogLevel.Debug;
            Log.WorkerDiedAtBoot(_log, level, worker.Name, ended.End.ToString(), reason is null ? "" : $": {reason}");
        }
        else
        {
            Log.WorkerCrashed(_log, worker.Name, ended.End.ToString(), HeldItems(worker), reason is null ? "" : $": {reason}");
        }

        if (worker.MayHaveFinishedUnsent)
        {
            // The worker may have been past the oldest item it held, its results still unsent:
            // no attempt is charged to any of them, and each goes again alone to show which it was.
            IReadOnlyList<DispatchedItem> held = worker.TakeAll();
            foreach (DispatchedItem item in held)
            {
                item.SentAlone = true;
            }

            Log.CrashUnattributed(_log, worker.Name, held.Count);
            _ledger.Requeue(held);
        }
        else
        {
            SettleRunning(worker, AttemptOutcome.Crashed, ended.Exit, reason ?? new RemoteError(RemoteErrorKind.WorkerCrashed, $"{worker.Info} {ended.End} while performing the item"));
        }

        if (worker.Completed == 0)
        {
            BootFailed(new WorkerFailure(worker.Info, ended.Exit, reason, worker.Handle.DiagnosticTail));
        }
    }
}
