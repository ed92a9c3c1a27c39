using Divvy.Jobs;
using Divvy.Scheduling;

namespace Divvy.Tests.Scheduling;

public sealed class RunStatisticsTests
{
    [Theory]
    [InlineData(50, 5)]
    [InlineData(90, 9)]
    [InlineData(95, 10)]
    [InlineData(99, 10)]
    [InlineData(100, 10)]
    public void Percentiles_use_the_nearest_rank(double percent, double expectedSeconds)
    {
        var statistics = new RunStatistics();
        foreach (int seconds in new[] { 7, 3, 10, 1, 5, 9, 2, 8, 4, 6 })
        {
            statistics.Add(new DispatchedItem(seconds, seconds, [0]), TimeSpan.FromSeconds(seconds), new WorkerInfo(1, null));
        }

        statistics.Percentiles(percent).Should().Equal(TimeSpan.FromSeconds(expectedSeconds));
    }

    [Fact]
    public void The_summary_carries_p50_p90_p95_p99_and_max()
    {
        var statistics = new RunStatistics();
        for (int ms = 1; ms <= 100; ms++)
        {
            statistics.Add(new DispatchedItem(ms, ms, [0]), TimeSpan.FromMilliseconds(ms), new WorkerInfo(1, null));
        }

        RunSummary summary = new RunCounters().ToSummary(TimeSpan.FromSeconds(1), StopReason.Completed, null, statistics);

        new[] { summary.DurationP50, summary.DurationP90, summary.DurationP95, summary.DurationP99, summary.DurationMax }
            .Should().Equal([.. new[] { 50, 90, 95, 99, 100 }.Select(ms => TimeSpan.FromMilliseconds(ms))]);
    }
}
