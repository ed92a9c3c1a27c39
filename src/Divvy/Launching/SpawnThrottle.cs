namespace Divvy.Launching;

/// <summary>
/// A token bucket on worker launches: a burst the size of the pool, then a steady ceiling per second.
/// Whatever goes wrong, a master cannot launch processes faster than this.
/// </summary>
internal sealed class SpawnThrottle
{
    private readonly TimeProvider _time;
    private readonly double _perSecond;
    private readonly double _burst;
    private double _tokens;
    private long _stamp;

    public SpawnThrottle(int perSecond, int burst, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perSecond, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _time = time;
        _perSecond = perSecond;
        _burst = burst;
        _tokens = burst;
        _stamp = time.GetTimestamp();
    }

    /// <summary>Takes a launch token, or says how long until one is available.</summary>
    public bool TryTake(out TimeSpan wait)
    {
        long now = _time.GetTimestamp();
        _tokens = Math.Min(_burst, _tokens + (_time.GetElapsedTime(_stamp, now).TotalSeconds * _perSecond));
        _stamp = now;
        if (_tokens >= 1)
        {
            _tokens -= 1;
            wait = TimeSpan.Zero;
            return true;
        }

        wait = TimeSpan.FromSeconds((1 - _tokens) / _perSecond);
        return false;
    }
}
