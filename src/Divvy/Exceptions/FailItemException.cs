namespace Divvy;

/// <summary>
/// Thrown from <c>Perform</c> to fail the item for good: it is not retried, whatever
/// <see cref="MasterOptions.MaxRetries"/> says. Any other exception counts as worth retrying
/// unless the job's <c>ShouldRetry</c> says otherwise.
/// </summary>
public sealed class FailItemException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FailItemException(string message) : base(message) { }

    /// <summary>Creates the exception with the error that caused it.</summary>
    public FailItemException(string message, Exception? innerException) : base(message, innerException) { }
}
