using Divvy.Launching;
using Divvy.Protocol;

namespace Divvy.Tests.Launching;

/// <summary>A worker that dialed in is named by its pid and host once it is ready, as a local one is by its pid.</summary>
public sealed class WorkerIdentityTests
{
    [Theory]
    [InlineData(3, null, null, "worker 3")]
    [InlineData(3, 4711, null, "worker 3, pid 4711")]
    [InlineData(3, 4711, "node7", "worker 3, pid 4711 on node7")]
    public void A_worker_is_described_by_what_is_known_of_it(int number, int? pid, string? host, string text)
    {
        new WorkerInfo(number, pid, host).ToString().Should().Be(text);
    }

    [Fact]
    public void A_tcp_slot_learns_its_workers_pid_and_host_from_its_Ready()
    {
        var handle = new TcpWorkerHandle(3, 1 << 20, (_, _) => { });
        handle.Info.Should().Be(new WorkerInfo(3, null));

        handle.OnReady(new ReadyMessage(WireProtocol.Version, 4711, "node7", "426_3"));

        handle.Info.Should().Be(new WorkerInfo(3, 4711, "node7"));
    }

    [Theory]
    [InlineData("ConnectionLost", null, null, "Slurm job 426_0: CANCELLED", "connection lost; Slurm job 426_0: CANCELLED")]
    [InlineData("Killed", null, 9, "Slurm job 426_0: FAILED (JobLaunchFailure)", "killed by SIGKILL (exit code 137); Slurm job 426_0: FAILED (JobLaunchFailure)")]
    [InlineData("Exited", 3, null, null, "exit code 3")]
    public void A_workers_end_says_what_its_engine_said_about_it(string kind, int? exitCode, int? signal, string? detail, string text)
    {
        new WorkerEnd(Enum.Parse<WorkerEndKind>(kind), exitCode, signal, detail).ToString().Should().Be(text);
    }
}
