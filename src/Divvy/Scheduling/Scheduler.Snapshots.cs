using Divvy.Jobs;
using Divvy.Monitoring;

namespace Divvy.Scheduling;

internal sealed partial class Scheduler
{
    private const int FailuresKept = 20;

    // Newest last; only the loop touches it.
    private readonly Queue<FailedAttempt> _recentFailures = new();
    private RunSnapshot? _final;

    /// <summary>The run's state at the loop's next step, or its final state once the loop has ended.</summary>
    public Task<RunSnapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _final) is { } final)
        {
            return Task.FromResult(final);
        }

        var reply = new TaskCompletionSource<RunSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        _events.Writer.TryWrite(new SnapshotRequested(reply));

        // The loop may have ended between the check and the post; it drains requests after setting
        // the final snapshot, so one of the two answers.
        if (Volatile.Read(ref _final) is { } ended)
        {
            reply.TrySetResult(ended);
        }

        return reply.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Remembers an attempt that did not succeed, for the snapshot's latest failures.</summary>
    private void NoteFailedAttempt(DispatchedItem item, AttemptOutcome outcome, RemoteError? error, WorkerInfo worker, bool final)
    {
        if (outcome == AttemptOutcome.Succeeded)
        {
            return;
        }

        if (_recentFailures.Count == FailuresKept)
        {
            _recentFailures.Dequeue();
        }

        _recentFailures.Enqueue(new FailedAttempt(item.Id, item.Describe(), item.Attempts, outcome == AttemptOutcome.Retry ? "failed" : Words.Of(outcome), error, worker, _time.GetElapsedTime(_startedAt), final));
    }

    /// <summary>The last snapshot, taken once the loop has ended; answers every request still queued.</summary>
    private void PublishFinalSnapshot()
    {
        RunSnapshot final = TakeSnapshot(finished: true);
        Volatile.Write(ref _final, final);
        while (_events.Reader.TryRead(out SchedulerEvent? next))
        {
            if (next is SnapshotRequested request)
            {
                request.Reply.TrySetResult(final);
            }
        }
    }

    private RunSnapshot TakeSnapshot(bool finished)
    {
        long now = _time.GetTimestamp();
        var workers = new List<WorkerSnapshot>();
        int inFlight = 0;
        foreach ((int number, WorkerConnection? worker, int launches, SpawnReason? reason) in _pool.Slots())
        {
            string? why = reason is { } r ? Words.Label(r) : null;
            if (worker is null)
            {
                workers.Add(new WorkerSnapshot(number, null, null, "launching", 0, launches, why, 0, [], 0));
                continue;
            }

            var running = new RunningItem[worker.Running];
            for (int i = 0; i < running.Length; i++)
            {
                DispatchedItem item = worker.RunningItem(i);
                running[i] = new RunningItem(item.Id, item.Describe(), _time.GetElapsedTime(worker.StartedAt(i), now), item.Attempts + 1);
            }

            inFlight += worker.Holding;
            workers.Add(new WorkerSnapshot(number, worker.Info.ProcessId, worker.Info.Host, Words.Label(worker.State), worker.Incarnation, launches, why, worker.Completed, running, worker.Holding));
        }

        FailedAttempt[] failures = [.. _recentFailures];
        Array.Reverse(failures);
        return new RunSnapshot
        {
            Summary = finished
                ? _ledger.Counts.ToSummary(_time.GetElapsedTime(_startedAt), _run.StopReason ?? StopReason.Completed, _halt.Reason, _statistics)
                : _ledger.Counts.ToLiveSummary(_time.GetElapsedTime(_startedAt), _run.StopReason ?? StopReason.Completed, _halt.Reason, _statistics),
            InFlight = inFlight,
            Queued = _ledger.Waiting + _ledger.Delayed,
            TargetWorkers = _pool.Target,
            Workers = workers,
            RecentFailures = failures,
            Durations = _statistics.Histogram(),
            Accepting = _run.IsAccepting,
            Finished = finished,
        };
    }
}
