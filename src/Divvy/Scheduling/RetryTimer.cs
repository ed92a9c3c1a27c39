namespace Divvy.Scheduling;

/// <summary>One timer for the earliest item waiting out its retry backoff; re-armed only when an earlier one comes.</summary>
internal sealed class RetryTimer : IDisposable
{
    private readonly TimeProvider _time;
    private readonly Action _due;
    private ITimer? _timer;
    private long _armedFor = long.MaxValue;

    public RetryTimer(TimeProvider time, Action due)
    {
        _time = time;
        _due = due;
    }

    /// <summary>Makes sure the timer fires by <paramref name="due"/> (a timestamp); <c>null</c> when nothing waits.</summary>
    public void Arm(long? due)
    {
        if (due is not { } at || at >= _armedFor)
        {
            return;
        }

        _timer?.Dispose();
        _armedFor = at;
        TimeSpan wait = TimeSpan.FromSeconds(Math.Max(0, at - _time.GetTimestamp()) / (double)_time.TimestampFrequency);
        _timer = _time.CreateTimer(_ => _due(), null, wait, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The timer went off: the next arming sets it again.</summary>
    public void Fired() => _armedFor = long.MaxValue;

    public void Dispose() => _timer?.Dispose();
}
