namespace Divvy.Monitoring;

/// <summary>One bar of the item-duration histogram in a <see cref="RunSnapshot"/>: attempts that took at most <paramref name="UpperBound"/> and more than the bar before.</summary>
/// <param name="UpperBound">The bar's upper bound; <see cref="TimeSpan.MaxValue"/> for the last.</param>
/// <param name="Count">Attempts in the bar.</param>
public sealed record DurationBucket(TimeSpan UpperBound, long Count);
