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

    /// <summary>The longest an item has taken so far (zero before the first): what a worker near its walltime must still have left.</summary>
    public TimeSpan Longest { get; private set; }

    public void Add(DispatchedItem item, TimeSpan duration, WorkerInfo worker)
    {
        double seconds = duration.TotalSeconds;
        _seen++;
        if (duration > Longest)
        {
            Longest = duration;
        }

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
    /// <remarks>Plain arrays rather than LINQ: this runs once per run, on the way out, where generic LINQ costs milliseconds of JIT.</remarks>
    public TimeSpan[] Percentiles(params double[] percents)
    {
        double[] sorted = _samples.ToArray();
        Array.Sort(sorted);
        var result = new TimeSpan[percents.Length];
        for (int i = 0; i < percents.Length && sorted.Length > 0; i++)
        {
            result[i] = TimeSpan.FromSeconds(sorted[Math.Clamp((int)Math.Ceiling(percents[i] / 100 * sorted.Length), 1, sorted.Length) - 1]);
        }

        return result;
    }

    public IReadOnlyList<SlowItem> Slowest()
    {
        var slowest = new SlowItem[_slowest.Count];
        int i = 0;
        foreach ((SlowItem item, double _) in _slowest.UnorderedItems)
        {
            slowest[i++] = item;
        }

        Array.Sort(slowest, static (a, b) => b.Duration.CompareTo(a.Duration));
        return slowest;
    }
}
