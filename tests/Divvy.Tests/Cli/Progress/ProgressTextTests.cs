using Divvy.Cli.Progress;

namespace Divvy.Tests.Cli.Progress;

public sealed class ProgressTextTests
{
    private static readonly RunProgress s_small = new(Dispatched: 1310, Succeeded: 1201, Failed: 3, InFlight: 8, WorkersAlive: 8, WorkersTarget: 8, Elapsed: TimeSpan.FromSeconds(12.5));

    private static readonly RunProgress s_huge = new(
        Dispatched: 9_876_543_210_987,
        Succeeded: 9_000_000_000_000,
        Failed: 123_456_789_012,
        InFlight: 1_048_576,
        WorkersAlive: 1024,
        WorkersTarget: 1024,
        Elapsed: TimeSpan.FromDays(3.5));

    [Fact]
    public void With_room_the_line_says_everything()
    {
        ProgressText.Describe(s_small, 200).Should().Be("1,204 done / 1,310 dispatched, 3 failed, 8 in flight, 8/8 workers, 96.3/s, ~2s left");
    }

    [Fact]
    public void Items_a_journal_skipped_count_as_done_but_not_toward_the_rate_or_the_time_left()
    {
        RunProgress resumed = s_small with { Dispatched = 11_310, Skipped = 10_000 };

        ProgressText.Describe(resumed, 200).Should().Be("11,204 done / 11,310 dispatched, 3 failed, 8 in flight, 8/8 workers, 96.3/s, ~2s left");
    }

    public static TheoryData<int> Widths => new() { 79, 80, 60, 40, 20, 10, 3, 1 };

    [Theory]
    [MemberData(nameof(Widths))]
    public void The_line_never_exceeds_the_width_even_for_huge_numbers(int width)
    {
        foreach (RunProgress progress in new[] { s_small, s_huge, default })
        {
            string text = ProgressText.Describe(progress, width);

            text.Length.Should().BeLessThanOrEqualTo(width, text);
            text.Should().NotContain("\n").And.NotContain("\r").And.NotContain("\u001b");
        }
    }

    [Fact]
    public void At_80_columns_huge_numbers_drop_the_least_useful_parts_first()
    {
        string text = ProgressText.Describe(s_huge, 79);

        text.Should().Be("9,123,456,789,012/9,876,543,210,987 done, 123,456,789,012 failed");
        text.Length.Should().BeLessThanOrEqualTo(79);
    }

    [Fact]
    public void At_80_columns_an_ordinary_run_keeps_counts_workers_and_rate()
    {
        ProgressText.Describe(s_small, 79).Should().Be("1,204/1,310 done, 3 failed, 8 in flight, 8/8 workers, 96.3/s, ~2s left");
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(10, "10s")]
    [InlineData(1000, "16m40s")]
    [InlineData(10_000, "2h46m")]
    [InlineData(100_000, "1d03h")]
    [InlineData(1_000_000, "11d13h")]
    [InlineData(100_000_000, "99d+")]
    public void The_estimate_is_short(long itemsLeft, string? expected)
    {
        // Ten items settled in ten seconds: one a second, so each item left is a second left.
        var progress = new RunProgress(Dispatched: 10 + itemsLeft, Succeeded: 10, Failed: 0, InFlight: 0, WorkersAlive: 1, WorkersTarget: 1, Elapsed: TimeSpan.FromSeconds(10));

        ProgressText.Eta(progress).Should().Be(expected);
    }

    [Fact]
    public void Before_anything_settled_there_is_no_estimate()
    {
        ProgressText.Eta(new RunProgress(10, 0, 0, 5, 5, 5, TimeSpan.FromSeconds(3))).Should().BeNull();
    }
}
