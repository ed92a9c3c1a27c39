using Divvy.Launching;
using Divvy.Tests.Support;

namespace Divvy.Tests.Scheduling;

/// <summary>Launches that take their time, fail, or bring a worker that never connects.</summary>
public sealed class SchedulerLaunchTests
{
    [Fact]
    public async Task A_launch_under_way_holds_its_slot_and_counts_as_a_booting_worker_so_nothing_is_launched_twice()
    {
        var launcher = new FakeLauncher { HoldLaunches = true };
        await using var run = SchedulerRun.Start(1, o => { o.Workers = 2; o.HeartbeatInterval = TimeSpan.FromMilliseconds(100); }, launcher);
        FakeLauncher.PendingLaunch pending = await launcher.NextPendingAsync();

        // Watchdog ticks wake the loop a few times while the launch is under way.
        run.Advance(TimeSpan.FromSeconds(1));
        launcher.Complete(pending);
        FakeWorker worker = await launcher.NextAsync();
        await worker.BootAsync();
        worker.Succeed(await worker.NextItemAsync(), 1);

        RunSummary summary = await run.SummaryAsync();
        summary.Succeeded.Should().Be(1);
        summary.WorkersSpawned.Should().Be(1);
        launcher.Launches.Should().Be(1, "one item needs one worker, and the one on its way is counted");
    }

    [Fact]
    public async Task A_worker_whose_launch_ends_after_the_run_stopped_is_killed_and_disposed()
    {
        var launcher = new FakeLauncher { HoldLaunches = true };
        await using var run = SchedulerRun.Start(3, launcher: launcher);
        FakeLauncher.PendingLaunch pending = await launcher.NextPendingAsync();

        run.Scheduler.RequestStop(StopReason.Interrupted, force: false);
        launcher.Complete(pending);

        (await pending.Worker.KilledAsync()).Should().Be(KillReason.Shutdown);
        RunSummary summary = await run.SummaryAsync();
        summary.StopReason.Should().Be(StopReason.Interrupted);
        summary.NotPerformed.Should().Be(summary.Dispatched);
        pending.Worker.IsDisposed.Should().BeTrue();
        launcher.Launches.Should().Be(1);
    }

    [Fact]
    public async Task A_launch_under_way_is_cancelled_when_the_run_stops_and_the_run_ends_without_it()
    {
        var launcher = new FakeLauncher { HoldLaunches = true, HonoursCancellation = true };
        await using var run = SchedulerRun.Start(3, launcher: launcher);
        FakeLauncher.PendingLaunch pending = await launcher.NextPendingAsync();

        run.Scheduler.RequestStop(StopReason.Interrupted, force: false);

        RunSummary summary = await run.SummaryAsync();
        pending.Completion.Task.IsCanceled.Should().BeTrue();
        summary.StopReason.Should().Be(StopReason.Interrupted);
        summary.WorkersSpawned.Should().Be(0);
        summary.NotPerformed.Should().Be(summary.Dispatched);
    }

    [Fact]
    public async Task A_launch_that_fails_later_with_WorkerSpawnException_aborts_the_run_with_it()
    {
        var launcher = new FakeLauncher { HoldLaunches = true };
        await using var run = SchedulerRun.Start(3, launcher: launcher);
        FakeLauncher.PendingLaunch pending = await launcher.NextPendingAsync();

        pending.Completion.SetException(new WorkerSpawnException("the cluster refused the job"));

        await run.Invoking(r => r.SummaryAsync()).Should().ThrowAsync<WorkerSpawnException>().WithMessage("the cluster refused the job");
    }

    [Fact]
    public async Task A_launch_that_fails_with_any_other_exception_counts_as_a_boot_failure()
    {
        var launcher = new FakeLauncher { HoldLaunches = true };
        await using var run = SchedulerRun.Start(3, o => o.MaxBootFailures = 2, launcher);
        (await launcher.NextPendingAsync()).Completion.SetException(new IOException("disk full"));
        (await launcher.NextPendingAsync()).Completion.SetException(new IOException("still full"));

        BootFailureException thrown = (await run.Invoking(r => r.SummaryAsync()).Should().ThrowAsync<BootFailureException>()).Which;
        thrown.Failures.Select(f => f.Reason!.Message).Should().Equal("disk full", "still full");
    }

    [Fact]
    public async Task A_worker_whose_connection_fails_with_WorkerSpawnException_aborts_the_run_with_it()
    {
        var launcher = new FakeLauncher { ConnectLater = true };
        await using var run = SchedulerRun.Start(3, launcher: launcher);
        FakeWorker worker = await launcher.NextAsync();

        worker.FailConnecting(new WorkerSpawnException("no worker dialed in within 30 s"));

        await run.Invoking(r => r.SummaryAsync()).Should().ThrowAsync<WorkerSpawnException>().WithMessage("no worker dialed in within 30 s");
        launcher.Launches.Should().Be(1, "not a boot failure to retry");
    }
}
