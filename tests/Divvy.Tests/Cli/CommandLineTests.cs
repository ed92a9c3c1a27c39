using Divvy.Cli;
using McMaster.Extensions.CommandLineUtils;

namespace Divvy.Tests.Cli;

public sealed class CommandLineTests
{
    private static CommandLineApplication App()
    {
        var app = new CommandLineApplication();
        app.Option("-n|--workers <N>", "", CommandOptionType.SingleValue);
        app.Option("--job <TYPE>", "", CommandOptionType.SingleValue);
        app.Option("-v|--verbose", "", CommandOptionType.NoValue);
        return app;
    }

    public static TheoryData<string[], string[], string[]> Splits => new()
    {
        { ["-n", "5", "job.dll", "20"], ["-n", "5", "job.dll"], ["20"] },
        { ["job.dll", "-n", "3", "--verbose"], ["job.dll"], ["-n", "3", "--verbose"] },
        { ["-v", "--job", "X", "job.dll"], ["-v", "--job", "X", "job.dll"], [] },
        { ["--workers=4", "job.dll", "a"], ["--workers=4", "job.dll"], ["a"] },
        { ["-n", "2", "--", "-odd.dll", "x"], ["-n", "2", "-odd.dll"], ["x"] },
        { ["-n", "2"], ["-n", "2"], [] },
    };

    [Theory]
    [MemberData(nameof(Splits))]
    public void Everything_after_the_assembly_belongs_to_the_job(string[] args, string[] own, string[] job)
    {
        (string[] Own, string[] Job) split = CommandLine.Split(App(), args);

        split.Own.Should().Equal(own);
        split.Job.Should().Equal(job);
    }

    [Theory]
    [InlineData("1024", 1024)]
    [InlineData("64M", 64 * 1024 * 1024)]
    [InlineData("2k", 2048)]
    [InlineData("1G", 1024 * 1024 * 1024)]
    public void Frame_sizes_accept_unit_suffixes(string text, long bytes)
    {
        Values.TryParseSize(text, 1024, 1 << 30, out long parsed).Should().BeTrue();
        parsed.Should().Be(bytes);
    }

    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("2s", 2000)]
    [InlineData("1.5", 1500)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    public void Durations_take_a_unit_or_default_to_seconds(string text, int milliseconds)
    {
        Values.TryParseDuration(text, out TimeSpan parsed).Should().BeTrue();
        parsed.Should().Be(TimeSpan.FromMilliseconds(milliseconds));
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-3s")]
    [InlineData("9999h")]
    public void Bad_durations_are_refused(string text)
    {
        Values.TryParseDuration(text, out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("")]
    [InlineData("12")]
    [InlineData("2G")]
    [InlineData("-5M")]
    [InlineData("lots")]
    public void Frame_sizes_out_of_range_are_refused(string text)
    {
        Values.TryParseSize(text, 1024, 1 << 30, out _).Should().BeFalse();
    }
}
