namespace Divvy;

/// <summary>One settled item, as the master's <c>OnResult</c> hook sees it.</summary>
/// <typeparam name="TItem">The item type.</typeparam>
/// <typeparam name="TResult">The result type.</typeparam>
public readonly struct ItemResult<TItem, TResult>
{
    /// <summary>
    /// Describes one settled item. The master builds these for <c>OnResult</c>; the constructor is
    /// public so a test can build one and call a job's hook with it.
    /// </summary>
    /// <param name="item">The item, as <see cref="Item"/>.</param>
    /// <param name="status">How the item settled, as <see cref="Status"/>.</param>
    /// <param name="result">What <c>Perform</c> returned, as <see cref="Result"/>; for an item that did not succeed, the result its last attempt carried in an <see cref="AttemptFailedException"/>, or <c>default</c>.</param>
    /// <param name="error">Why the item did not succeed, as <see cref="Error"/>; <c>null</c> for a success.</param>
    /// <param name="worker">The worker that performed or held the item, as <see cref="Worker"/>.</param>
    /// <param name="duration">How long <c>Perform</c> ran, as <see cref="Duration"/>.</param>
    /// <param name="workerExit">How the worker ended, as <see cref="WorkerExit"/>; set for <see cref="ItemStatus.Crashed"/> items, otherwise <c>null</c>.</param>
    /// <param name="attempts">How many times the item was tried, 0 or more, as <see cref="Attempts"/>.</param>
    public ItemResult(TItem item, ItemStatus status, TResult? result, RemoteError? error, WorkerInfo worker, TimeSpan duration, WorkerExit? workerExit, int attempts)
    {
        Attempts = attempts;
        Item = item;
        Status = status;
        Result = result;
        Error = error;
        Worker = worker;
        Duration = duration;
        WorkerExit = workerExit;
    }

    /// <summary>The item as <c>Dispatch</c> yielded it (the master's own copy).</summary>
    public TItem Item { get; }

    /// <summary>How the item settled.</summary>
    public ItemStatus Status { get; }

    /// <summary><c>true</c> when <see cref="Status"/> is <see cref="ItemStatus.Succeeded"/>.</summary>
    public bool Succeeded => Status == ItemStatus.Succeeded;

    /// <summary>
    /// What <c>Perform</c> returned. For an item that did not succeed (<see cref="ItemStatus.Failed"/>,
    /// <see cref="ItemStatus.TimedOut"/>, or <see cref="ItemStatus.NotPerformed"/> while waiting for
    /// its retry): the result its last attempt carried in an <see cref="AttemptFailedException"/>,
    /// if it carried one; otherwise <c>default</c>.
    /// </summary>
    public TResult? Result { get; }

    /// <summary>Why the item failed or crashed; <c>null</c> when it succeeded. For a <see cref="ItemStatus.NotPerformed"/> item, the error of its last attempt, if it had one.</summary>
    public RemoteError? Error { get; }

    /// <summary>The worker that performed (or held) the item; worker 0 (no process) for an item no worker held when the run stopped.</summary>
    public WorkerInfo Worker { get; }

    /// <summary>How long <c>Perform</c> ran, measured in the worker; zero for crashed items.</summary>
    public TimeSpan Duration { get; }

    /// <summary>How many times the item was tried, this last time included; 0 for an item never tried.</summary>
    public int Attempts { get; }

    /// <summary>How the worker ended, for <see cref="ItemStatus.Crashed"/> items.</summary>
    public WorkerExit? WorkerExit { get; }

    /// <summary>One line: status, worker and error.</summary>
    public override string ToString() => Status switch
    {
        ItemStatus.Succeeded => $"succeeded on {Worker} in {Duration.TotalMilliseconds:F1} ms",
        ItemStatus.Crashed => $"crashed: {Worker} {WorkerExit} while performing it",
        ItemStatus.TimedOut => $"timed out on {Worker} after {Words.Count(Attempts, "attempt", "attempts")}",
        ItemStatus.Quarantined => $"quarantined as poison after crashing workers {Words.Count(Attempts, "time", "times")}",
        ItemStatus.NotPerformed => Attempts == 0 ? "not performed: the run stopped first" : $"not performed: the run stopped before its retry, after {Words.Count(Attempts, "attempt", "attempts")}",
        _ => $"failed on {Worker}: {Error}",
    };
}
