using Divvy.Launching;
using Microsoft.Extensions.Time.Testing;

namespace Divvy.Tests.Launching;

public sealed class SpawnThrottleTests
{
    [Fact]
    public void Allows_a_burst_then_holds_launches_to_the_rate()
    {
        var clock = new FakeTimeProvider();
        var throttle = new SpawnThrottle(perSecond: 4, burst: 3, clock);

        for (int i = 0; i < 3; i++)
        {
            throttle.TryTake(out _).Should().BeTrue();
        }

        throttle.TryTake(out TimeSpan wait).Should().BeFalse();
        wait.Should().BeCloseTo(TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(1));

        clock.Advance(TimeSpan.FromMilliseconds(250));
        throttle.TryTake(out _).Should().BeTrue();
        throttle.TryTake(out _).Should().BeFalse();
    }

    [Fact]
    public void Never_saves_up_more_than_the_burst()
    {
        var clock = new FakeTimeProvider();
        var throttle = new SpawnThrottle(perSecond: 10, burst: 2, clock);

        clock.Advance(TimeSpan.FromHours(1));

        throttle.TryTake(out _).Should().BeTrue();
        throttle.TryTake(out _).Should().BeTrue();
        throttle.TryTake(out _).Should().BeFalse();
    }
}
