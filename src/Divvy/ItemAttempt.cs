namespace Divvy;

/// <summary>One attempt at an item, as the master's <c>OnAttempt</c> hook sees it.</summary>
/// <typeparam name="TItem">The item type.</typeparam>
public readonly struct ItemAttempt<TItem>
{
    /// <summary>
    /// Describes one attempt. The master builds these for <c>OnAttempt</c>; the constructor is public
    /// so a test can build one and call a job's hook with it.
    /// </summary>
    /// <param name="item">The item, as <see cref="Item"/>.</param>
    /// <param name="attempt">The attempt number, 1 for the first attempt, as <see cref="Attempt"/>.</param>
    /// <param name="outcome">How the attempt ended, as <see cref="Outcome"/>.</param>
    /// <param name="worker">The worker that made the attempt, as <see cref="Worker"/>.</param>
    /// <param name="duration">How long the attempt ran, as <see cref="Duration"/>.</param>
    /// <param name="error">What went wrong, as <see cref="Error"/>; <c>null</c> for a success.</param>
    /// <param name="retryDelay">The delay before the next attempt, as <see cref="RetryDelay"/>; <c>null</c> when this attempt was the item's last.</param>
    public ItemAttempt(TItem item, int attempt, AttemptOutcome outcome, WorkerInfo worker, TimeSpan duration, RemoteError? error, TimeSpan? retryDelay)
    {
        Item = item;
        Attempt = attempt;
        Outcome = outcome;
        Worker = worker;
        Duration = duration;
        Error = error;
        RetryDelay = retryDelay;
    }

    /// <summary>The item.</summary>
    public TItem Item { get; }

    /// <summary>1 for the first attempt, 2 for the first retry, and so on.</summary>
    public int Attempt { get; }

    /// <summary>How this attempt ended.</summary>
    public AttemptOutcome Outcome { get; }

    /// <summary>The worker that made the attempt.</summary>
    public WorkerInfo Worker { get; }

    /// <summary>How long the attempt ran, measured in the worker (by the master for killed workers, zero for crashes).</summary>
    public TimeSpan Duration { get; }

    /// <summary>What went wrong, for every outcome but <see cref="AttemptOutcome.Succeeded"/>.</summary>
    public RemoteError? Error { get; }

    /// <summary>When the item will be tried again, after this delay; <c>null</c> when this attempt was its last.</summary>
    public TimeSpan? RetryDelay { get; }

    /// <summary>One line for logs.</summary>
    public override string ToString() =>
        $"attempt {Attempt} {Words.Of(Outcome)} on {Worker}" + (Error is null ? "" : $": {Error}") +
        (RetryDelay is { } delay ? $"; retrying in {delay.TotalMilliseconds:F0} ms" : "");
}
