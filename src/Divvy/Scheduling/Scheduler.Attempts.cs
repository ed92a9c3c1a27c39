using Divvy.Jobs;

namespace Divvy.Scheduling;

internal sealed partial class Scheduler
{
    private readonly RetryBackoff _backoff;
    private readonly PriorityQueue<DispatchedItem, long> _delayed = new();
    private ITimer? _retryTimer;
    private long _retryTimerDue = long.MaxValue;
    private string? _haltReason;
    private bool _resultHookFailed;

    /// <summary>
    /// Records one attempt and decides what follows: done (succeeded, failed, timed out, crashed,
    /// quarantined) or tried again after a backoff.
    /// </summary>
    private void SettleAttempt(DispatchedItem item, AttemptOutcome outcome, WorkerInfo worker, TimeSpan duration, RemoteError? error, WorkerExit? exit, object? result)
    {
        // Successful attempts log nothing, so only the others pay for a scope.
        using IDisposable? scope = outcome == AttemptOutcome.Succeeded ? null : ItemScope(item, worker);
        item.Attempts++;
        item.LastError = error;
        if (outcome == AttemptOutcome.Crashed)
        {
            item.Crashes++;
        }

        ItemStatus? final = outcome switch
        {
            AttemptOutcome.Succeeded => ItemStatus.Succeeded,
            AttemptOutcome.Failed => ItemStatus.Failed,
            AttemptOutcome.Crashed when item.Crashes >= _options.PoisonThreshold => ItemStatus.Quarantined,
            _ when item.Attempts <= _options.MaxRetries && _acceptingWork => null,
            _ => FinalStatus(outcome),
        };

        if (duration > TimeSpan.Zero)
        {
            Metrics.Duration.Record(duration.TotalSeconds);
            _statistics.Add(item, duration, worker);
        }

        TimeSpan? delay = final is null ? _backoff.Delay(item.Attempts) : null;
        if (_job.Shape.ObservesAttempts)
        {
            // "Retry" promises a retry: an attempt that was worth retrying but is the item's last
            // (retries used up, or the run is stopping) is a failure.
            AttemptOutcome reported = final is not null && outcome == AttemptOutcome.Retry ? AttemptOutcome.Failed : outcome;
            try
            {
                _job.ReportAttempt(item, reported, worker, duration, error, delay);
            }
            catch (Exception ex)
            {
                // OnAttempt is user code: its failure stops the run, not the scheduler.
                HookFailed(ex);
            }
        }
        if (final is { } status)
        {
            if (status == ItemStatus.Quarantined)
            {
                Log.ItemQuarantined(_log, item.Id, item.Crashes);
            }

            Finish(item, status, result, error, worker, duration, exit);
            return;
        }

        _counts.Retries++;
        Metrics.Retried.Add(1);
        Log.ItemRetrying(_log, item.Id, item.Attempts, Words.Of(outcome), delay!.Value.TotalMilliseconds);
        long due = _time.GetTimestamp() + (long)(delay.Value.TotalSeconds * _time.TimestampFrequency);
        _delayed.Enqueue(item, due);
        ArmRetryTimer();
    }

    /// <summary>Puts the item and worker in the logging scope, so any sink can attribute what follows.</summary>
    private IDisposable? ItemScope(DispatchedItem item, WorkerInfo worker) =>
        _log.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Warning)
            ? _log.BeginScope(new Dictionary<string, object?> { ["Item"] = item.Id, ["Worker"] = worker.Number, ["WorkerPid"] = worker.ProcessId })
            : null;

    private static ItemStatus FinalStatus(AttemptOutcome outcome) => outcome switch
    {
        AttemptOutcome.Succeeded => ItemStatus.Succeeded,
        AttemptOutcome.TimedOut => ItemStatus.TimedOut,
        AttemptOutcome.Crashed => ItemStatus.Crashed,
        _ => ItemStatus.Failed,
    };

    /// <summary>An item's last word: count it, tell the job, and see whether the halt policy trips.</summary>
    private void Finish(DispatchedItem item, ItemStatus status, object? result, RemoteError? error, WorkerInfo worker, TimeSpan duration, WorkerExit? exit, bool checkHalt = true)
    {
        switch (status)
        {
            case ItemStatus.Succeeded: _counts.Succeeded++; break;
            case ItemStatus.Failed: _counts.Failed++; break;
            case ItemStatus.Crashed: _counts.Crashed++; break;
            case ItemStatus.TimedOut: _counts.TimedOut++; break;
            case ItemStatus.Quarantined: _counts.Quarantined++; break;
            case ItemStatus.NotPerformed: _counts.NotPerformed++; break;
        }

        if (status == ItemStatus.Succeeded)
        {
            Metrics.Succeeded.Add(1);
        }
        else if (status != ItemStatus.NotPerformed)
        {
            // Items the run did not get to are no failure of theirs: not counted, not logged one by one.
            Metrics.Failed.Add(1, new KeyValuePair<string, object?>("status", Words.Label(status)));
            Log.ItemFailed(_log, item.Id, worker.ToString(), Words.Of(status), error?.ToString() ?? "");
        }

        try
        {
            _job.ReportResult(item, status, result, error, worker, duration, exit);
        }
        catch (Exception ex) when (!_resultHookFailed)
        {
            // OnResult is user code: its failure stops the run, not the scheduler.
            _resultHookFailed = true;
            HookFailed(ex);
        }
        catch (Exception)
        {
            // The first failure is rethrown at the end; the same failure again for every item
            // still to settle (the stop reports them all) would only bury it in the log.
        }
        if (checkHalt)
        {
            CheckHalt();
        }
    }

    /// <summary>
    /// An item the run stopped before performing: never tried, or waiting for a retry that will not
    /// come. It still reaches OnResult, once, so the caller knows what to run again.
    /// </summary>
    private void Abandon(DispatchedItem item, WorkerInfo worker)
    {
        // The run is stopping anyway: this settles the item, it does not trip the halt policy.
        Finish(item, ItemStatus.NotPerformed, null, item.LastError, worker, TimeSpan.Zero, null, checkHalt: false);
    }

    private void CheckHalt()
    {
        if (_haltReason is not null || !_options.Halt.IsTripped(_counts.Failures, _counts.Settled))
        {
            return;
        }

        _haltReason = $"{_counts.Failures} of {_counts.Settled} settled items failed, --halt {_options.Halt}";
        Log.Halted(_log, _haltReason);
        _stopReason = StopReason.Halted;
        Stop(StopReason.Halted, force: _options.Halt.When == HaltWhen.Now);
    }

    private void ReleaseDueRetries()
    {
        long now = _time.GetTimestamp();
        while (_delayed.TryPeek(out DispatchedItem? item, out long due) && due <= now)
        {
            _delayed.Dequeue();
            _requeued.Enqueue(item);
        }

        ArmRetryTimer();
    }

    private void ArmRetryTimer()
    {
        if (!_delayed.TryPeek(out _, out long due) || due >= _retryTimerDue)
        {
            return;
        }

        _retryTimer?.Dispose();
        _retryTimerDue = due;
        TimeSpan wait = TimeSpan.FromSeconds(Math.Max(0, due - _time.GetTimestamp()) / (double)_time.TimestampFrequency);
        _retryTimer = _time.CreateTimer(_ => _events.Writer.TryWrite(new TimerFired(TimerPurpose.Retry)), null, wait, Timeout.InfiniteTimeSpan);
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
                _counts.Dispatched++;
                Abandon(unqueued, nobody);
            }
        }

        while (_dispatched.TryTake(out DispatchedItem? unsent))
        {
            _counts.Dispatched++;
            Abandon(unsent, nobody);
        }

        while (_requeued.TryDequeue(out DispatchedItem? queued))
        {
            Abandon(queued, nobody);
        }

        while (_delayed.TryDequeue(out DispatchedItem? waiting, out _))
        {
            Abandon(waiting, nobody);
        }
    }
}
