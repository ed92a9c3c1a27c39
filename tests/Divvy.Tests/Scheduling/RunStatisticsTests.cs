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

    [Fact]
    public void A_live_snapshots_percentiles_from_a_strided_sample_stay_close_to_the_exact_ones_and_its_histogram_counts_every_attempt()
    {
        var statistics = new RunStatistics();
        var worker = new WorkerInfo(1, 100);

        // 20,000 durations from 1 ms to 20 s, added out of order.
        for (int i = 0; i < 20_000; i++)
        {
            int milliseconds = (i * 7_919 % 20_000) + 1;
            statistics.Add(new DispatchedItem(i + 1, i, []), TimeSpan.FromMilliseconds(milliseconds), worker);
        }

        TimeSpan[] exact = statistics.Percentiles(50, 95);
        TimeSpan[] sampled = statistics.SampledPercentiles(1_000, 50, 95);

        exact.Should().Equal(TimeSpan.FromMilliseconds(10_000), TimeSpan.FromMilliseconds(19_000));
        sampled[0].Should().BeCloseTo(exact[0], TimeSpan.FromMilliseconds(400));
        sampled[1].Should().BeCloseTo(exact[1], TimeSpan.FromMilliseconds(400));
        statistics.Histogram().Sum(b => b.Count).Should().Be(20_000);
        statistics.Histogram().Single(b => b.UpperBound == TimeSpan.FromSeconds(25)).Count.Should().Be(10_000, "10,001 ms to 20,000 ms");
    }
}
