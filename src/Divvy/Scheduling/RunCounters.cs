namespace Divvy.Scheduling;

/// <summary>The run's accounting; every accepted item ends in exactly one outcome counter.</summary>
internal sealed class RunCounters
{
    public long Dispatched;
    public long Succeeded;
    public long Failed;
    public long Crashed;
    public long NotPerformed;
    public long Skipped;
    public long TimedOut;
    public long Quarantined;
    public long Retries;
    public int WorkersSpawned;
    public int WorkerCrashes;
    public int WorkersRecycled;
    public int WorkersTimedOut;
    public int WorkersUnresponsive;
    public int WorkersLost;
    public long LateResultsRejected;

    /// <summary>Items settled without success (after their retries): what halt policies count.</summary>
    public long Failures => Failed + Crashed + TimedOut + Quarantined;

    public long Settled => Succeeded + Failures;

    public RunSummary ToSummary(TimeSpan elapsed, StopReason reason, string? haltReason, RunStatistics statistics) =>
        ToSummary(elapsed, reason, haltReason, statistics, statistics.Percentiles(50, 90, 95, 99, 100));

    /// <summary>The summary so far, for a live snapshot: percentiles from a strided sample of at most 10,000 durations, the exact maximum.</summary>
    public RunSummary ToLiveSummary(TimeSpan elapsed, StopReason reason, string? haltReason, RunStatistics statistics)
    {
        TimeSpan[] durations = statistics.SampledPercentiles(10_000, 50, 90, 95, 99);
        return ToSummary(elapsed, reason, haltReason, statistics, [.. durations, statistics.Longest]);
    }

    private RunSummary ToSummary(TimeSpan elapsed, StopReason reason, string? haltReason, RunStatistics statistics, TimeSpan[] durations) => new()
    {
        DurationP50 = durations[0],
        DurationP90 = durations[1],
        DurationP95 = durations[2],
        DurationP99 = durations[3],
        DurationMax = durations[4],
        Slowest = statistics.Slowest(),
        SpawnsByReason = new Dictionary<string, int>(statistics.SpawnReasons),
        TimedOut = TimedOut,
        Quarantined = Quarantined,
        Retries = Retries,
        WorkersRecycled = WorkersRecycled,
        WorkersTimedOut = WorkersTimedOut,
        WorkersUnresponsive = WorkersUnresponsive,
        LateResultsRejected = LateResultsRejected,
        WorkersLost = WorkersLost,
        HaltReason = haltReason,
        Dispatched = Dispatched,
        Succeeded = Succeeded,
        Failed = Failed,
        Crashed = Crashed,
        NotPerformed = NotPerformed,
        Skipped = Skipped,
        WorkersSpawned = WorkersSpawned,
        WorkerCrashes = WorkerCrashes,
        Elapsed = elapsed,
        StopReason = reason,
    };
}
