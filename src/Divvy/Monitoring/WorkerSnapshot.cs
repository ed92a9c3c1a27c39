namespace Divvy.Monitoring;

/// <summary>One worker slot at the moment of a <see cref="RunSnapshot"/>.</summary>
/// <param name="Number">The slot's number, from 1, as in logs.</param>
/// <param name="ProcessId">The worker's process id; <c>null</c> while its slot waits for a worker.</param>
/// <param name="Host">The host of a worker on another machine; <c>null</c> for a local one.</param>
/// <param name="State">
/// <c>launching</c>, <c>booting</c>, <c>ready</c>, <c>draining</c> (the pool shrank), <c>retiring</c>
/// (recycling itself), <c>stopping</c> or <c>killed</c>.
/// </param>
/// <param name="Incarnation">Which launch of the run this worker is (1 for the first launched).</param>
/// <param name="Launches">Workers launched into this slot so far, this one included.</param>
/// <param name="LastLaunchReason">Why the slot's worker was launched: <c>start</c>, <c>crash</c>, <c>timeout</c>, <c>recycle</c>, <c>unresponsive</c> or <c>lost</c>.</param>
/// <param name="Completed">Items this worker has completed.</param>
/// <param name="Running">The items it performs now, oldest first.</param>
/// <param name="Holding">Items it holds: those running and those sent ahead (prefetched).</param>
public sealed record WorkerSnapshot(
    int Number,
    int? ProcessId,
    string? Host,
    string State,
    int Incarnation,
    int Launches,
    string? LastLaunchReason,
    long Completed,
    IReadOnlyList<RunningItem> Running,
    int Holding);
