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

    private static readonly double[] s_bounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 60, 150, 300];

    private readonly List<double> _samples = [];
    private readonly long[] _bars = new long[s_bounds.Length + 1];
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

        int bar = Array.BinarySearch(s_bounds, seconds);
        _bars[bar >= 0 ? bar : ~bar]++;
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
            _slowest.Enqueue(new SlowItem(item.Id, item.Describe(), duration, worker), seconds);
            if (_slowest.Count > SlowestKept)
            {
                _slowest.Dequeue();
            }
        }
    }

    /// <summary>Nearest-rank percentiles, from one sort of the sample.</summary>
    /// <remarks>Plain arrays rather than LINQ: this runs once per run, on the way out, where generic LINQ costs milliseconds of JIT.</remarks>
    public TimeSpan[] Percentiles(params double[] percents) => SampledPercentiles(int.MaxValue, percents);

    /// <summary>
    /// The same from at most <paramref name="maxSample"/> evenly strided samples: what a live
    /// snapshot taken every second uses, so that it does not sort 100,000 durations each time.
    /// </summary>
    public TimeSpan[] SampledPercentiles(int maxSample, params double[] percents)
    {
        double[] sorted;
        if (_samples.Count <= maxSample)
        {
            sorted = _samples.ToArray();
        }
        else
        {
            sorted = new double[maxSample];
            double stride = (double)_samples.Count / maxSample;
            for (int i = 0; i < maxSample; i++)
            {
                sorted[i] = _samples[(int)(i * stride)];
            }
        }

        Array.Sort(sorted);
        var result = new TimeSpan[percents.Length];
        for (int i = 0; i < percents.Length && sorted.Length > 0; i++)
        {
            result[i] = TimeSpan.FromSeconds(sorted[Math.Clamp((int)Math.Ceiling(percents[i] / 100 * sorted.Length), 1, sorted.Length) - 1]);
        }

        return result;
    }

    /// <summary>Every attempt's duration in bars from 1 ms to 5 minutes, about 2.5x apart; the last bar holds the longer ones.</summary>
    public IReadOnlyList<Monitoring.DurationBucket> Histogram()
    {
        var bars = new Monitoring.DurationBucket[_bars.Length];
        for (int i = 0; i < _bars.Length; i++)
        {
            bars[i] = new Monitoring.DurationBucket(i < s_bounds.Length ? TimeSpan.FromSeconds(s_bounds[i]) : TimeSpan.MaxValue, _bars[i]);
        }

        return bars;
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
