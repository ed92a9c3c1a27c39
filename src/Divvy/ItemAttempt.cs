namespace Divvy;

/// <summary>One attempt at an item, as the master's <c>OnAttempt</c> hook sees it.</summary>
/// <typeparam name="TItem">The item type.</typeparam>
public readonly struct ItemAttempt<TItem>
{
    internal ItemAttempt(TItem item, int attempt, AttemptOutcome outcome, WorkerInfo worker, TimeSpan duration, RemoteError? error, TimeSpan? retryDelay)
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
