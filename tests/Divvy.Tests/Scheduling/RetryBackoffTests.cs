using Divvy.Scheduling;

namespace Divvy.Tests.Scheduling;

public sealed class RetryBackoffTests
{
    [Fact]
    public void Each_retry_waits_about_twice_as_long_as_the_one_before()
    {
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1), new Random(7));

        TimeSpan[] delays = Enumerable.Range(1, 6).Select(backoff.Delay).ToArray();

        for (int retry = 1; retry <= 6; retry++)
        {
            double ceiling = 100 * Math.Pow(2, retry - 1);
            delays[retry - 1].TotalMilliseconds.Should().BeInRange(ceiling / 2, ceiling, $"retry {retry} waits base x 2^{retry - 1}, less up to half as jitter");
        }

        delays[5].Should().BeGreaterThan(delays[0] * 8);
    }

    [Fact]
    public void The_delay_never_passes_the_cap()
    {
        var backoff = new RetryBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), new Random(1));

        Enumerable.Range(1, 100).Select(backoff.Delay).Should().OnlyContain(d => d <= TimeSpan.FromSeconds(5) && d >= TimeSpan.FromSeconds(0.5));
    }

    [Fact]
    public void Jitter_spreads_items_that_failed_together()
    {
        var backoff = new RetryBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), new Random(3));

        Enumerable.Range(0, 20).Select(_ => backoff.Delay(3)).Distinct().Should().HaveCountGreaterThan(15);
    }

    [Fact]
    public void A_zero_base_retries_at_once()
    {
        new RetryBackoff(TimeSpan.Zero, TimeSpan.FromSeconds(1), new Random(1)).Delay(5).Should().Be(TimeSpan.Zero);
    }
}
