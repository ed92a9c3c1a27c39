namespace Divvy;

/// <summary>
/// What a <see cref="RemoteError"/> describes: an exception thrown in a worker, or something the
/// master itself decided about an item or its worker.
/// </summary>
public enum RemoteErrorKind
{
    /// <summary>An exception thrown in the worker (by <c>Perform</c>, a hook, or Divvy's worker code); <see cref="RemoteError.Type"/> names it.</summary>
    Exception = 0,

    /// <summary>The item ran past <see cref="MasterOptions.ItemTimeout"/> plus <see cref="MasterOptions.ItemTimeoutGrace"/>, and its worker was killed.</summary>
    ItemTimedOut = 1,

    /// <summary>The worker stopped answering heartbeats for <see cref="MasterOptions.HeartbeatTimeout"/> and was killed.</summary>
    WorkerUnresponsive = 2,

    /// <summary>The worker died while performing the item, without saying why.</summary>
    WorkerCrashed = 3,

    /// <summary>The worker's connection was lost while it held the item.</summary>
    WorkerLost = 4,

    /// <summary>The item is larger serialized than <see cref="MasterOptions.MaxFrameSize"/>; it was never sent.</summary>
    ItemTooLarge = 5,

    /// <summary>The worker broke the protocol (a wrong version, a result for an item it did not hold) and was killed.</summary>
    ProtocolViolation = 6,
}
