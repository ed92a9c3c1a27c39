namespace Divvy.Tests.Exceptions;

public sealed class BootFailureExceptionTests
{
    private static WorkerFailure Died(int number, int pid, int exitCode, string? reason, params string[] stderr) =>
        new(new WorkerInfo(number, pid), new WorkerExit(exitCode), reason is null ? null : new RemoteError("System.InvalidOperationException", reason, ""), stderr);

    [Fact]
    public void One_cause_in_every_worker_is_one_line_of_cause_one_line_of_workers_and_the_shared_stderr_once()
    {
        var failures = new[]
        {
            Died(2, 102, 1, "no database", "cannot connect", "giving up"),
            Died(1, 101, 1, "no database", "cannot connect", "giving up"),
            Died(3, 103, 1, "no database", "cannot connect", "giving up"),
        };

        new BootFailureException(failures).Message.Split('\n').Should().Equal(
            "workers keep dying before completing any item: 3 in a row (MasterOptions.MaxBootFailures), so the run stopped: System.InvalidOperationException: no database",
            "  workers 1-3 (pids 101, 102, 103) exited with code 1 before completing an item",
            "  each wrote to stderr:",
            "    | cannot connect",
            "    | giving up");
    }

    [Fact]
    public void Different_stderr_tails_show_only_the_last_workers()
    {
        var failures = new[]
        {
            Died(1, 101, 70, "boom", "worker 1 says hi"),
            Died(2, 102, 70, "boom", "worker 2 says hi"),
            Died(1, 104, 70, "boom", "worker 1 again"),
        };

        new BootFailureException(failures).Message.Split('\n').Should().Equal(
            "workers keep dying before completing any item: 3 in a row (MasterOptions.MaxBootFailures), so the run stopped: System.InvalidOperationException: boom",
            "  workers 1-2 (pids 101, 104, 102) exited with code 70 before completing an item",
            "  worker 1, pid 104, the last to die, wrote to stderr:",
            "    | worker 1 again");
    }

    [Fact]
    public void Different_ways_of_dying_get_a_line_each_with_their_cause()
    {
        var failures = new[]
        {
            Died(1, 101, 70, "boom"),
            Died(2, 102, 137, null),
            Died(4, 104, 70, "boom"),
        };

        new BootFailureException(failures).Message.Split('\n').Should().Equal(
            "workers keep dying before completing any item: 3 in a row (MasterOptions.MaxBootFailures), so the run stopped",
            "  workers 1, 4 (pids 101, 104) exited with code 70 before completing an item: System.InvalidOperationException: boom",
            "  worker 2 (pid 102) was killed by SIGKILL (exit code 137) before completing an item");
    }
}
