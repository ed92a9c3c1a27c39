namespace Divvy.Worker;

/// <summary>Exit codes a worker process uses on its own, all below 128 so they never look like signals.</summary>
internal static class WorkerExitCodes
{
    public const int Finished = 0;
    public const int AfterSpawnFailed = 70;
    public const int ProtocolError = 71;
    public const int MasterGone = 72;
    public const int BadMarker = 73;
}
