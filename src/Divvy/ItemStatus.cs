namespace Divvy;

/// <summary>How an item settled.</summary>
public enum ItemStatus
{
    /// <summary><c>Perform</c> returned; the result is in <see cref="ItemResult{TItem, TResult}.Result"/>.</summary>
    Succeeded = 0,

    /// <summary><c>Perform</c> threw, or the result could not be sent back; see <see cref="ItemResult{TItem, TResult}.Error"/>.</summary>
    Failed = 1,

    /// <summary>The worker process died while it held the item; see <see cref="ItemResult{TItem, TResult}.WorkerExit"/>.</summary>
    Crashed = 2,

    /// <summary>The item ran past <see cref="MasterOptions.ItemTimeout"/> on its last attempt.</summary>
    TimedOut = 3,

    /// <summary>
    /// The item crashed <see cref="MasterOptions.PoisonThreshold"/> workers, or lost the connection to
    /// <see cref="MasterOptions.MaxConnectionLosses"/> remote workers, and was set aside as poison.
    /// </summary>
    Quarantined = 4,

    /// <summary>The run stopped before the item was performed (Ctrl-C, cancellation, halting); run it again.</summary>
    NotPerformed = 5,

    /// <summary>
    /// The item settled in an earlier run recorded in the <see cref="MasterOptions.Journal"/> and was
    /// not performed again. <see cref="ItemResult{TItem, TResult}.Result"/> is the result the journal
    /// kept when it succeeded; <see cref="ItemResult{TItem, TResult}.Error"/> the error it settled with
    /// when it did not (rerun those with <see cref="MasterOptions.RetryFailed"/>).
    /// </summary>
    Skipped = 6,
}
