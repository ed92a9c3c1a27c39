namespace Divvy.Worker;

/// <summary>Exit codes a worker process uses on its own, all below 128 so they never look like signals.</summary>
internal static class WorkerExitCodes
{
    public const int Finished = 0;
    public const int AfterSpawnFailed = 70;
    public const int ProtocolError = 71;

    /// <summary>The master went away: its pipe closed, its connection broke, or (TCP) it fell silent past the heartbeat timeout.</summary>
    public const int MasterGone = 72;

    public const int BadMarker = 73;

    /// <summary>TCP: the master refused this worker (wrong token, other protocol version), or is not the master the token belongs to.</summary>
    public const int Refused = 74;

    /// <summary>TCP: the master has no free worker slot.</summary>
    public const int SlotsFull = 75;

    /// <summary>TCP: the master cannot be reached (connection refused, unreachable, no answer).</summary>
    public const int CannotConnect = 76;
}
