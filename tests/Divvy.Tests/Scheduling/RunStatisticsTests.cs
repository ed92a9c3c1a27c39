using Divvy.Jobs;
using Divvy.Scheduling;

namespace Divvy.Tests.Scheduling;

public sealed class RunStatisticsTests
{
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
