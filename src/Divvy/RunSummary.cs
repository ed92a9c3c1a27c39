namespace Divvy;

/// <summary>
/// What a run did. Every dispatched item is counted exactly once:
/// <c>Dispatched == Succeeded + Failed + Crashed + TimedOut + Quarantined + NotPerformed + Skipped</c>.
/// </summary>
public sealed class RunSummary
{
    /// <summary>Items <c>Dispatch</c> yielded and the master accepted.</summary>
    public long Dispatched { get; init; }

    /// <summary>Items whose <c>Perform</c> returned.</summary>
    public long Succeeded { get; init; }

    /// <summary>Items whose <c>Perform</c> threw, or whose result could not be sent back.</summary>
    public long Failed { get; init; }

    /// <summary>Items whose worker died while holding them.</summary>
    public long Crashed { get; init; }

    /// <summary>Items whose last attempt ran past <see cref="MasterOptions.ItemTimeout"/>.</summary>
    public long TimedOut { get; init; }

    /// <summary>
    /// Items set aside as poison after crashing <see cref="MasterOptions.PoisonThreshold"/> workers,
    /// or after <see cref="MasterOptions.MaxConnectionLosses"/> workers lost their connection holding them.
    /// </summary>
    public long Quarantined { get; init; }

    /// <summary>Accepted items never performed because the run stopped early.</summary>
    public long NotPerformed { get; init; }

    /// <summary>Items an earlier run settled, by the <see cref="MasterOptions.Journal"/>, and not performed again.</summary>
    public long Skipped { get; init; }

    /// <summary>Attempts that were retries (an item retried twice counts 2).</summary>
    public long Retries { get; init; }

    /// <summary>Workers replaced between items because of a recycling limit.</summary>
    public int WorkersRecycled { get; init; }

    /// <summary>Workers killed because an item ran past its hard deadline.</summary>
    public int WorkersTimedOut { get; init; }

    /// <summary>Workers killed because they stopped answering heartbeats.</summary>
    public int WorkersUnresponsive { get; init; }

    /// <summary>
    /// Workers whose connection was lost without a goodbye (a remote worker that dropped, or went
    /// silent and was cut off); what they held was sent again. Not counted in <see cref="WorkerCrashes"/>.
    /// </summary>
    public int WorkersLost { get; init; }

    /// <summary>
    /// Results and failures that arrived from a worker after the master had written it off (killed
    /// it at a hard deadline, for not answering, for breaking the protocol, or at shutdown). They
    /// are refused: the item settles once, the way the write-off decided.
    /// </summary>
    public long LateResultsRejected { get; init; }

    /// <summary>Median <c>Perform</c> duration over attempts (sampled beyond 100,000 attempts).</summary>
    public TimeSpan DurationP50 { get; init; }

    /// <summary>90th percentile of <c>Perform</c> durations.</summary>
    public TimeSpan DurationP90 { get; init; }

    /// <summary>95th percentile of <c>Perform</c> durations.</summary>
    public TimeSpan DurationP95 { get; init; }

    /// <summary>99th percentile of <c>Perform</c> durations.</summary>
    public TimeSpan DurationP99 { get; init; }

    /// <summary>The longest <c>Perform</c>.</summary>
    public TimeSpan DurationMax { get; init; }

    /// <summary>The five slowest attempts, slowest first.</summary>
    public IReadOnlyList<SlowItem> Slowest { get; init; } = [];

    /// <summary>Worker launches by reason: <c>start</c>, <c>crash</c>, <c>timeout</c>, <c>recycle</c>, <c>unresponsive</c>.</summary>
    public IReadOnlyDictionary<string, int> SpawnsByReason { get; init; } = new Dictionary<string, int>();

    /// <summary>What tripped the halt policy, when <see cref="StopReason"/> is <see cref="StopReason.Halted"/>.</summary>
    public string? HaltReason { get; init; }

    /// <summary>Worker processes launched, respawns included.</summary>
    public int WorkersSpawned { get; init; }

    /// <summary>Worker processes that died without being asked to stop.</summary>
    public int WorkerCrashes { get; init; }

    /// <summary>Wall-clock time of the run.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Why the run ended.</summary>
    public StopReason StopReason { get; init; }

    /// <summary>
    /// <c>true</c> when the run completed and every item it performed succeeded. Items skipped by the
    /// <see cref="MasterOptions.Journal"/> count as done, also those that failed in the earlier run:
    /// skipping them is what was asked (<see cref="MasterOptions.RetryFailed"/> runs them again).
    /// </summary>
    public bool IsSuccess => StopReason == StopReason.Completed && Succeeded + Skipped == Dispatched;

    /// <summary>
    /// The end-of-run report: the one-line summary, then durations, the slowest items and worker
    /// launches by reason, one line each.
    /// </summary>
    public string Describe()
    {
        var lines = new List<string> { ToString() };
        if (DurationMax > TimeSpan.Zero)
        {
            lines.Add($"durations: p50 {Milliseconds(DurationP50)}, p95 {Milliseconds(DurationP95)}, max {Milliseconds(DurationMax)}");
        }

        if (Slowest.Count > 0)
        {
            lines.Add("slowest: " + string.Join("; ", Slowest));
        }

        if (LateResultsRejected > 0)
        {
            lines.Add($"refused: {Words.Count(LateResultsRejected, "late result", "late results")} from workers already written off");
        }

        if (SpawnsByReason.Count > 0)
        {
            lines.Add("worker launches: " + string.Join(", ", SpawnsByReason.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Value} {p.Key}")));
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static string Milliseconds(TimeSpan value) => $"{value.TotalMilliseconds:F1} ms";

    /// <summary>One line for logs and the CLI.</summary>
    public override string ToString() =>
        $"{StopReason.ToString().ToLowerInvariant()}{(HaltReason is null ? "" : $" ({HaltReason})")}: {Dispatched} dispatched, {Succeeded} succeeded, {Failed} failed, " +
        $"{Crashed} crashed, {TimedOut} timed out, {Quarantined} quarantined, {NotPerformed} not performed, {(Skipped > 0 ? $"{Skipped} skipped (journal), " : "")}{Words.Count(Retries, "retry", "retries")}; " +
        $"{Words.Count(WorkersSpawned, "worker", "workers")} spawned, {Words.Count(WorkerCrashes, "worker crash", "worker crashes")}, {WorkersRecycled} recycled, {WorkersTimedOut} killed at timeout, {WorkersUnresponsive} unresponsive{(WorkersLost > 0 ? $", {WorkersLost} lost" : "")}; " +
        $"{Elapsed.TotalSeconds:F2} s";
}
