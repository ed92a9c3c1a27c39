namespace Divvy;

/// <summary>
/// Thrown from <c>Perform</c> to fail the attempt while still handing back what it produced: the
/// attempt counts as failed (retried under <see cref="MasterOptions.MaxRetries"/> with backoff unless
/// the job's <c>ShouldRetry</c> says no, counted by the halt policy, the summary and the metrics),
/// and <see cref="Result"/> travels to the master like a returned result. When the item settles
/// without success, its <see cref="ItemResult{TItem, TResult}.Result"/> is the result its last
/// attempt carried. A command runner uses it for a command that exited non-zero: a failure to the
/// scheduler, whose output still belongs in the report.
/// </summary>
/// <remarks>
/// <see cref="Result"/> must be the job's <c>TResult</c> (or <c>null</c>): it is serialized as a
/// returned result is. One that is not, or that cannot be serialized or sent (over
/// <see cref="MasterOptions.MaxFrameSize"/>), is dropped; the attempt still fails with this exception's message.
/// </remarks>
public sealed class AttemptFailedException : Exception
{
    /// <summary>Creates the exception without a result.</summary>
    public AttemptFailedException(string message) : base(message) { }

    /// <summary>Creates the exception with the error that caused it.</summary>
    public AttemptFailedException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with what the attempt produced.</summary>
    /// <param name="message">Why the attempt failed: it becomes the item's <see cref="RemoteError.Message"/>.</param>
    /// <param name="result">What the attempt produced, a <c>TResult</c> of the job, or <c>null</c>.</param>
    /// <param name="innerException">The error that caused it, if any.</param>
    public AttemptFailedException(string message, object? result, Exception? innerException = null) : base(message, innerException)
    {
        Result = result;
    }

    /// <summary>What the attempt produced, sent to the master with the failure; <c>null</c> for none.</summary>
    public object? Result { get; }

    /// <summary>
    /// Whether the attempt failed because it ran past a deadline of the job's own (a per-item
    /// limit it enforces itself): the attempt then counts as timed out, as one that ran past
    /// <see cref="MasterOptions.ItemTimeout"/> does. Default <c>false</c>. An attempt that throws
    /// this exception after <see cref="MasterOptions.ItemTimeout"/> cancelled its token counts as
    /// timed out either way.
    /// </summary>
    public bool TimedOut { get; init; }
}
