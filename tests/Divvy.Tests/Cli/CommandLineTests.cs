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
    public void Frame_sizes_accept_unit_suffixes(string text, int bytes)
    {
        DivvyCommand.TryParseSize(text, out int parsed).Should().BeTrue();
        parsed.Should().Be(bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("12")]
    [InlineData("2G")]
    [InlineData("-5M")]
    [InlineData("lots")]
    public void Frame_sizes_out_of_range_are_refused(string text)
    {
        DivvyCommand.TryParseSize(text, out _).Should().BeFalse();
    }
}
