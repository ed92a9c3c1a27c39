using Divvy.Jobs;

namespace Divvy.Scheduling;

/// <summary>
/// Durations for the summary: percentiles from a bounded sample (reservoir sampling past
/// <see cref="MaxSamples"/>, so an endless run keeps a fixed footprint) and the slowest few items.
/// </summary>
internal sealed class RunStatistics
{
    private const int MaxSamples = 100_000;
    private const int SlowestKept = 5;

    private readonly List<double> _samples = [];
    private readonly PriorityQueue<SlowItem, double> _slowest = new();
    private readonly Random _random = new(17);
    private long _seen;

    public Dictionary<string, int> SpawnReasons { get; } = new(StringComparer.Ordinal);

    public void Add(DispatchedItem item, TimeSpan duration, WorkerInfo worker)
    {
        double seconds = duration.TotalSeconds;
        _seen++;
        if (_samples.Count < MaxSamples)
        {
            _samples.Add(seconds);
        }
        else if (_random.NextInt64(_seen) is var slot && slot < MaxSamples)
        {
            _samples[(int)slot] = seconds;
        }

        if (_slowest.Count < SlowestKept || (_slowest.TryPeek(out _, out double fastest) && seconds > fastest))
        {
            string description = item.Value?.ToString() ?? "";
            _slowest.Enqueue(new SlowItem(item.Id, description.Length > 80 ? description[..80] + "…" : description, duration, worker), seconds);
            if (_slowest.Count > SlowestKept)
            {
                _slowest.Dequeue();
            }
        }
    }

    /// <summary>Nearest-rank percentiles, from one sort of the sample.</summary>
    public TimeSpan[] Percentiles(params double[] percents)
    {
        double[] sorted = [.. _samples.Order()];
        return percents.Select(percent => sorted.Length == 0
            ? TimeSpan.Zero
            : TimeSpan.FromSeconds(sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Length), 1, sorted.Length) - 1])).ToArray();
    }

    public IReadOnlyList<SlowItem> Slowest() =>
        _slowest.UnorderedItems.Select(x => x.Element).OrderByDescending(s => s.Duration).ToArray();
}
