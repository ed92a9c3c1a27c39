namespace Divvy;

/// <summary>One of the slowest items of a run, for the summary.</summary>
public sealed record SlowItem(long Id, string Item, TimeSpan Duration, WorkerInfo Worker)
{
    /// <summary><c>item 17 (report-2024.csv): 4.20 s on worker 2, pid 4711</c>.</summary>
    public override string ToString() => $"item {Id} ({Item}): {Duration.TotalSeconds:F2} s on {Worker}";
}
