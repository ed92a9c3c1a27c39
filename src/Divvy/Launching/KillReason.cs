namespace Divvy.Launching;

/// <summary>Why the master killed a worker, which decides what its items become.</summary>
internal enum KillReason
{
    /// <summary>Shutdown: forced stop, halt now, abort, shutdown deadline. Items in hand are not performed.</summary>
    Shutdown,

    /// <summary>Its item passed the hard deadline: that item timed out.</summary>
    HardTimeout,

    /// <summary>It stopped answering heartbeats: the item it held counts as crashed.</summary>
    Unresponsive,

    /// <summary>It broke the protocol: treated as a crash.</summary>
    ProtocolError,
}
