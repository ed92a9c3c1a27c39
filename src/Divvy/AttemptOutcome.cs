namespace Divvy;

/// <summary>How one attempt at an item ended.</summary>
public enum AttemptOutcome
{
    /// <summary><c>Perform</c> returned.</summary>
    Succeeded = 0,

    /// <summary>
    /// <c>Perform</c> threw something worth retrying, and the item is tried again after
    /// <see cref="ItemAttempt{TItem}.RetryDelay"/> (unless the run stops first: then it settles as
    /// <see cref="ItemStatus.NotPerformed"/>). An attempt with retries used up is <see cref="Failed"/>.
    /// </summary>
    Retry = 1,

    /// <summary>
    /// <c>Perform</c> threw and the item is not tried again: it threw <see cref="FailItemException"/>,
    /// <c>ShouldRetry</c> said no, its retries (<see cref="MasterOptions.MaxRetries"/>) are used up,
    /// or the run is stopping.
    /// </summary>
    Failed = 2,

    /// <summary>
    /// The item ran past its timeout: it honoured the cancelled token, or its worker was killed at
    /// the hard deadline. <see cref="ItemAttempt{TItem}.RetryDelay"/> says whether it is tried again.
    /// </summary>
    TimedOut = 3,

    /// <summary>The worker died while performing the item. <see cref="ItemAttempt{TItem}.RetryDelay"/> says whether it is tried again.</summary>
    Crashed = 4,

    /// <summary>
    /// The worker's connection was lost while it held the item (a remote worker whose link dropped
    /// without a goodbye, or that went silent past <see cref="MasterOptions.HeartbeatTimeout"/>).
    /// Not the item's fault: it is sent again without using up a retry or counting toward
    /// <see cref="MasterOptions.PoisonThreshold"/>, until it has lost
    /// <see cref="MasterOptions.MaxConnectionLosses"/> connections and is quarantined.
    /// </summary>
    WorkerLost = 5,
}
