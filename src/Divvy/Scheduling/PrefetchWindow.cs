namespace Divvy.Scheduling;

/// <summary>
/// How many items one worker may hold. Fast items need a queue at the worker so it never waits on
/// a round trip to the master; slow items must not queue at all, or a free worker would sit idle
/// while an item waits behind a busy one. The window covers about <see cref="TargetQueueTime"/> of
/// work, from a moving average of measured durations: 1 for items of 2 ms or more, up to the cap
/// for microsecond items. Big items are also held to about the channel's preferred window in bytes
/// (what a pipe holds): more in flight only keeps more payloads alive in both processes. A worker
/// that performs K items at once always gets at least K, whatever the measurements say.
/// </summary>
internal sealed class PrefetchWindow
{
    internal static readonly TimeSpan TargetQueueTime = TimeSpan.FromMilliseconds(2);
    private const double Smoothing = 0.2;

    private readonly int _max;
    private readonly int _min;
    private readonly int _targetQueueBytes;
    private double _averageTicks = -1;
    private double _averageBytes = -1;

    /// <param name="max">The most items one worker may hold (<see cref="MasterOptions.MaxPrefetch"/>).</param>
    /// <param name="targetQueueBytes">Payload bytes worth keeping in flight: the channel's <see cref="Transport.IWorkerChannel.PreferredWindowBytes"/>.</param>
    /// <param name="min">The fewest items one worker may hold: how many it performs at once (<see cref="MasterOptions.MaxConcurrentItemsPerWorker"/>).</param>
    public PrefetchWindow(int max, int targetQueueBytes, int min = 1)
    {
        _min = min;
        _max = Math.Max(max, min);
        _targetQueueBytes = targetQueueBytes;
        Current = min;
    }

    /// <summary>Items the worker may hold now, the one it performs included.</summary>
    public int Current { get; private set; }

    /// <summary>Takes one settled item into account: how long it ran and how big it was on the wire.</summary>
    public void Observe(TimeSpan duration, int payloadBytes)
    {
        double ticks = Math.Max(duration.Ticks, 1);
        _averageTicks = _averageTicks < 0 ? ticks : (Smoothing * ticks) + ((1 - Smoothing) * _averageTicks);
        double bytes = Math.Max(payloadBytes, 1);
        _averageBytes = _averageBytes < 0 ? bytes : (Smoothing * bytes) + ((1 - Smoothing) * _averageBytes);
        double byTime = 1 + Math.Floor(TargetQueueTime.Ticks / _averageTicks);
        double bySize = Math.Floor(_targetQueueBytes / _averageBytes);
        Current = (int)Math.Clamp(Math.Min(byTime, bySize), _min, _max);
    }
}
