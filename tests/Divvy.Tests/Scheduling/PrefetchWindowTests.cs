using Divvy.Scheduling;

namespace Divvy.Tests.Scheduling;

public sealed class PrefetchWindowTests
{
    // What a local worker's pipe holds, the window a pipe channel prefers.
    private const int PipeBytes = 1024 * 1024;

    [Fact]
    public void Starts_at_one_item_until_something_is_measured()
    {
        new PrefetchWindow(256, PipeBytes).Current.Should().Be(1);
    }

    [Theory]
    [InlineData(150_000, 1)]
    [InlineData(2_000, 2)]
    [InlineData(1_000, 3)]
    [InlineData(100, 21)]
    [InlineData(1, 256)]
    public void Holds_about_two_milliseconds_of_work(int microseconds, int expected)
    {
        var window = new PrefetchWindow(256, PipeBytes);

        window.Observe(TimeSpan.FromMicroseconds(microseconds), 8);

        window.Current.Should().Be(expected);
    }

    [Fact]
    public void Slow_items_never_queue_behind_each_other_once_the_average_is_slow()
    {
        var window = new PrefetchWindow(256, PipeBytes);
        window.Observe(TimeSpan.FromMicroseconds(5), 8);
        window.Current.Should().BeGreaterThan(100);

        for (int i = 0; i < 20; i++)
        {
            window.Observe(TimeSpan.FromMilliseconds(150), 8);
        }

        window.Current.Should().Be(1);
    }

    [Fact]
    public void A_cap_of_one_turns_prefetch_off()
    {
        var window = new PrefetchWindow(1, PipeBytes);
        window.Observe(TimeSpan.FromTicks(1), 8);
        window.Current.Should().Be(1);
    }

    [Theory]
    [InlineData(256, 1, 4)]
    [InlineData(1, 1, 4)]
    [InlineData(256, 10 * 1024 * 1024, 4)]
    public void A_worker_performing_four_items_at_once_always_holds_at_least_four(int max, int bytes, int expected)
    {
        var window = new PrefetchWindow(max, PipeBytes, min: 4);
        window.Current.Should().Be(4, "before anything is measured");
        window.Observe(TimeSpan.FromMilliseconds(150), bytes);
        window.Current.Should().Be(expected, "slow or big items would otherwise shrink the window below the worker's slots");
    }

    [Theory]
    [InlineData(64 * 1024, 16)]
    [InlineData(1024 * 1024, 1)]
    [InlineData(10 * 1024 * 1024, 1)]
    [InlineData(8, 256)]
    public void Fast_but_big_items_are_held_to_about_a_pipe_full(int bytes, int expected)
    {
        var window = new PrefetchWindow(256, PipeBytes);

        window.Observe(TimeSpan.FromMicroseconds(1), bytes);

        window.Current.Should().Be(expected);
    }
}
