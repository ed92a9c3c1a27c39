namespace Divvy.Tests;

public sealed class WorkerExitTests
{
    [Theory]
    [InlineData(0, "exit code 0", null)]
    [InlineData(42, "exit code 42", null)]
    [InlineData(134, "killed by SIGABRT (exit code 134)", 6)]
    [InlineData(137, "killed by SIGKILL (exit code 137)", 9)]
    [InlineData(143, "killed by SIGTERM (exit code 143)", 15)]
    public void Describes_how_a_worker_ended(int code, string text, int? signal)
    {
        var exit = new WorkerExit(code);

        exit.ToString().Should().Be(text);
        exit.Signal.Should().Be(signal);
    }
}
