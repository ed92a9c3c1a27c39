namespace Divvy.Scheduling;

/// <summary>The item settles with <see cref="Final"/>, or, when that is <c>null</c>, is tried again after <see cref="Delay"/>.</summary>
internal readonly record struct AttemptDecision(ItemStatus? Final, TimeSpan? Delay)
{
    public static AttemptDecision Settle(ItemStatus status) => new(status, null);

    public static AttemptDecision RetryAfter(TimeSpan delay) => new(null, delay);
}
