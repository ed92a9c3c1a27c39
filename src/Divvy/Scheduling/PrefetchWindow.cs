namespace Divvy.Scheduling;

/// <summary>
/// How many items one worker may hold. Fast items need a queue at the worker so it never waits on
/// a round trip to the master; slow items must not queue at all, or a free worker would sit idle
/// while an item waits behind a busy one. The window covers about <see cref="TargetQueueTime"/> of
/// work, from a moving average of measured durations: 1 for items of 2 ms or more, up to the cap
/// for microsecond items.
/// </summary>
internal sealed class PrefetchWindow
{
    internal static readonly TimeSpan TargetQueueTime = TimeSpan.FromMilliseconds(2);
    private const double Smoothing = 0.2;

    private readonly int _max;
    private double _averageTicks = -1;

    public PrefetchWindow(int max)
    {
        _max = max;
        Current = 1;
    }

    /// <summary>Items the worker may hold now, the one it performs included.</summary>
    public int Current { get; private set; }

    public void Observe(TimeSpan duration)
    {
        double ticks = Math.Max(duration.Ticks, 1);
        _averageTicks = _averageTicks < 0 ? ticks : (Smoothing * ticks) + ((1 - Smoothing) * _averageTicks);
        double queued = TargetQueueTime.Ticks / _averageTicks;
        Current = (int)Math.Clamp(1 + Math.Floor(queued), 1, _max);
    }
}
