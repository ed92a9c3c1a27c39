namespace Divvy.Scheduling;

/// <summary>The run's accounting; every accepted item ends in exactly one outcome counter.</summary>
internal sealed class RunCounters
{
    public long Dispatched;
    public long Succeeded;
    public long Failed;
    public long Crashed;
    public long NotPerformed;
    public int WorkersSpawned;
    public int WorkerCrashes;

    public RunSummary ToSummary(TimeSpan elapsed, StopReason reason) => new()
    {
        Dispatched = Dispatched,
        Succeeded = Succeeded,
        Failed = Failed,
        Crashed = Crashed,
        NotPerformed = NotPerformed,
        WorkersSpawned = WorkersSpawned,
        WorkerCrashes = WorkerCrashes,
        Elapsed = elapsed,
        StopReason = reason,
    };
}
