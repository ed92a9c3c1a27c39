namespace Divvy.Scheduling;

/// <summary>Items <c>Dispatch</c> yielded that an earlier run recorded in the journal as settled: they are reported, not performed.</summary>
internal sealed record ItemsSkipped(IReadOnlyList<Scheduler.SkippedItem> Items) : SchedulerEvent;
