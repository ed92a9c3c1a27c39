namespace Divvy.Scheduling;

/// <summary>
/// Exponential backoff with jitter: the n-th retry waits base x 2^(n-1), capped, minus a random
/// part of up to half, so items that failed together do not come back together.
/// </summary>
internal sealed class RetryBackoff
{
    private readonly TimeSpan _base;
    private readonly TimeSpan _max;
    private readonly Random _random;

    public RetryBackoff(TimeSpan baseDelay, TimeSpan maxDelay, Random random)
    {
        _base = baseDelay;
        _max = maxDelay;
        _random = random;
    }

    /// <summary>The delay before retry number <paramref name="retry"/> (1 for the first retry).</summary>
    public TimeSpan Delay(int retry)
    {
        double ceiling = Math.Min(_max.Ticks, _base.Ticks * Math.Pow(2, Math.Min(retry - 1, 62)));
        double jitter = _random.NextDouble() * ceiling / 2;
        return TimeSpan.FromTicks((long)(ceiling - jitter));
    }
}
