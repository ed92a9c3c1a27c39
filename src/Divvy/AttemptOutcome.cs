namespace Divvy;

/// <summary>How one attempt at an item ended.</summary>
public enum AttemptOutcome
{
    /// <summary><c>Perform</c> returned.</summary>
    Succeeded = 0,

    /// <summary><c>Perform</c> threw something worth retrying.</summary>
    Retry = 1,

    /// <summary><c>Perform</c> threw <see cref="FailItemException"/> (or <c>ShouldRetry</c> said no): not retried.</summary>
    Failed = 2,

    /// <summary>The item ran past its timeout: it honoured the cancelled token, or its worker was killed at the hard deadline.</summary>
    TimedOut = 3,

    /// <summary>The worker died while performing the item.</summary>
    Crashed = 4,
}
