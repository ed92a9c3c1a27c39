using Divvy.Cli;

namespace Divvy.Tests.Cli;

/// <summary>What <c>divvy</c> and <c>divvy exec</c> say alike on stderr, under their own names.</summary>
public sealed class CommandRunTests
{
    private readonly StringWriter _error = new();

    private string[] Lines => _error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

    [Theory]
    [InlineData("divvy")]
    [InlineData("divvy exec")]
    public void A_bad_command_line_is_said_under_the_command_s_name_with_where_to_find_help(string name)
    {
        int exitCode = new CommandRun(name, _error).Usage("unknown option '--nope'");

        exitCode.Should().Be(ExitCodes.Usage);
        Lines.Should().Equal($"{name}: unknown option '--nope'", $"Try '{name} --help' for more information.");
    }

    [Fact]
    public async Task A_run_that_throws_is_one_line_naming_where_it_failed_and_exit_code_9()
    {
        bool reported = false;

        int exitCode = await new CommandRun("divvy exec", _error).RunAsync(
            () => throw new InvalidOperationException("no input"), _ => { reported = true; return 0; }, "the run failed");

        exitCode.Should().Be(ExitCodes.JobFailed);
        Lines.Should().Equal("divvy exec: the run failed: InvalidOperationException: no input");
        reported.Should().BeFalse("there is no summary to report");
    }

    [Fact]
    public async Task A_known_failure_is_said_in_its_own_words_with_its_own_exit_code()
    {
        int exitCode = await new CommandRun("divvy", _error).RunAsync(
            () => Task.FromException<RunSummary>(new RunSetupException("cannot listen on 127.0.0.1:9: address already in use")),
            _ => 0,
            "the job failed in the master",
            ex => ex is RunSetupException ? ExitCodes.SetupFailed : null);

        exitCode.Should().Be(ExitCodes.SetupFailed);
        Lines.Should().Equal("divvy: cannot listen on 127.0.0.1:9: address already in use");
    }
}
