namespace Divvy;

/// <summary>
/// Thrown from <c>Perform</c> to say "not now, try again": the item is retried under
/// <see cref="MasterOptions.MaxRetries"/> with backoff. (Any exception does the same by default;
/// this one says so explicitly and is never refused by <c>ShouldRetry</c>.)
/// </summary>
public sealed class RetryItemException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RetryItemException(string message) : base(message) { }

    /// <summary>Creates the exception with the error that caused it.</summary>
    public RetryItemException(string message, Exception? innerException) : base(message, innerException) { }
}
