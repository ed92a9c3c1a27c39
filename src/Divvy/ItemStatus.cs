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
}
