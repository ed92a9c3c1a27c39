using Divvy.Jobs;

namespace Divvy.Scheduling;

internal sealed partial class Scheduler
{
    /// <summary>
    /// Records one attempt and decides what follows: done (succeeded, failed, timed out, crashed,
    /// quarantined) or tried again after a backoff.
    /// </summary>
    private void SettleAttempt(DispatchedItem item, AttemptOutcome outcome, WorkerInfo worker, TimeSpan duration, RemoteError? error, WorkerExit? exit, object? result, bool sharedCrash = false)
    {
        // Successful attempts log nothing, so only the others pay for a scope.
        using IDisposable? scope = outcome == AttemptOutcome.Succeeded ? null : ItemScope(item, worker);
        AttemptDecision decision = _policy.Decide(item, outcome, error, retriesAllowed: _run.IsAccepting, sharedCrash);
        EndAttemptSpan(item, AttemptPolicy.Reported(outcome, decision), error);
        // Kept only while a retry is pending: the run may stop before it, and the item then settles with this.
        item.LastResult = decision.Final is null ? result : null;
        if (duration > TimeSpan.Zero)
        {
            Metrics.Duration(duration);
            _statistics.Add(item, duration, worker);
        }

        NoteFailedAttempt(item, outcome, error, worker, final: decision.Final is not null);
        if (_job.Shape.ObservesAttempts)
        {
            try
            {
                _job.ReportAttempt(item, AttemptPolicy.Reported(outcome, decision), worker, duration, error, decision.Delay);
            }
            catch (Exception ex)
            {
                // OnAttempt is user code: its failure stops the run, not the scheduler.
                HookFailed(ex);
            }
        }

        if (decision.Final is { } status)
        {
            if (status == ItemStatus.Quarantined && outcome == AttemptOutcome.WorkerLost)
            {
                Log.ItemQuarantinedForLosses(_log, item.Id, item.ConnectionLosses);
            }
            else if (status == ItemStatus.Quarantined)
            {
                Log.ItemQuarantined(_log, item.Id, item.Crashes);
            }

            Finish(item, status, result, error, worker, duration, exit);
            return;
        }

        if (outcome == AttemptOutcome.WorkerLost)
        {
            // Not a retry: the attempt never had its chance. Back to the front of the line.
            _ledger.Requeue([item]);
            return;
        }

        TimeSpan delay = decision.Delay!.Value;
        _ledger.Counts.Retries++;
        Metrics.Retried();
        Log.ItemRetrying(_log, item.Id, item.Attempts, Words.Of(outcome), delay.TotalMilliseconds);
        _ledger.Delay(item, _time.GetTimestamp() + (long)(delay.TotalSeconds * _time.TimestampFrequency));
        _retryTimer.Arm(_ledger.NextDue);
    }

    /// <summary>Puts the item and worker in the logging scope, so any sink can attribute what follows.</summary>
    private IDisposable? ItemScope(DispatchedItem item, WorkerInfo worker) =>
        _log.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Warning)
            ? _log.BeginScope(new Dictionary<string, object?> { ["Item"] = item.Id, ["Worker"] = worker.Number, ["WorkerPid"] = worker.ProcessId })
            : null;

    /// <summary>An item's last word: count it, tell the job, and see whether the halt policy trips.</summary>
    private void Finish(DispatchedItem item, ItemStatus status, object? result, RemoteError? error, WorkerInfo worker, TimeSpan duration, WorkerExit? exit, bool checkHalt = true)
    {
        Journal(item, status, result, error, duration);
        // No attempt follows, and the worker that held it last has settled it or ended: its bytes can be reused.
        item.ReleasePayload();
        _ledger.Record(status);
        if (status == ItemStatus.Succeeded)
        {
            Metrics.Succeeded();
        }
        else if (status is not (ItemStatus.NotPerformed or ItemStatus.Skipped))
        {
            // Items the run did not get to are no failure of theirs: not counted, not logged one by one.
            Metrics.Failed(Words.Label(status));
            Log.ItemFailed(_log, item.Id, worker.ToString(), Words.Of(status), error?.ToString() ?? "");
        }

        Deliver(item, status, result, error, worker, duration, exit);

        if (checkHalt && _halt.Trips(_ledger.Counts.Failures, _ledger.Counts.Settled))
        {
            Log.Halted(_log, _halt.Reason!);
            _run.Halt();
            Stop(StopReason.Halted, force: _options.Halt.When == HaltWhen.Now);
        }
    }

    /// <summary>
    /// An item the run stopped before performing: never tried, or waiting for a retry that will not
    /// come. It still reaches OnResult, once, so the caller knows what to run again.
    /// </summary>
    private void Abandon(DispatchedItem item, WorkerInfo worker)
    {
        // The run is stopping anyway: this settles the item, it does not trip the halt policy.
        Finish(item, ItemStatus.NotPerformed, item.LastResult, item.LastError, worker, TimeSpan.Zero, null, checkHalt: false);
    }

    private void RejectOversized(DispatchedItem item, WorkerInfo worker)
    {
        var error = new RemoteError(
            RemoteErrorKind.ItemTooLarge,
            $"item {item.Id} is {item.Payload.Length:N0} bytes serialized, over the maximum frame size of {_options.MaxFrameSize:N0} bytes (MasterOptions.MaxFrameSize, divvy --max-frame-size)");
        item.Attempts++;
        Finish(item, ItemStatus.Failed, null, error, worker, TimeSpan.Zero, null);
    }

    private void ReleaseDueRetries()
    {
        _ledger.ReleaseDue(_time.GetTimestamp());
        _retryTimer.Arm(_ledger.NextDue);
    }

    /// <summary>After the last worker is gone: whatever was accepted and not finished is accounted for.</summary>
    private void SettleLeftovers()
    {
        var nobody = new WorkerInfo(0, null);
        while (_events.Reader.TryRead(out SchedulerEvent? late))
        {
            // The pump's last word may come after the loop's: an item it held must still settle.
            if (late is DispatchEnded { Unqueued: { } unqueued })
            {
                _ledger.Accept();
                Abandon(unqueued, nobody);
            }
            else if (late is ItemsSkipped skipped)
            {
                // Reported as the loop would have: the journal says how they settled.
                OnItemsSkipped(skipped);
            }
        }

        foreach (DispatchedItem item in _ledger.TakeLeftovers())
        {
            Abandon(item, nobody);
        }
    }
}
