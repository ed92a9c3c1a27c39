using Divvy.Launching;
using Divvy.Monitoring;
using Divvy.Protocol;
using Divvy.Tests.Support;

namespace Divvy.Tests.Scheduling;

/// <summary>What a dashboard reads: the run's state taken by the scheduler between two of its steps.</summary>
public sealed class SchedulerSnapshotTests
{
    [Fact]
    public async Task A_snapshot_shows_each_worker_with_the_item_it_performs_and_for_how_long()
    {
        await using var run = SchedulerRun.Start(3, o => o.MaxPrefetch = 1);
        (FakeWorker worker, ItemMessage item) = await run.NextWorkerWithAnItemAsync(endWhenKilled: new WorkerEnd(WorkerEndKind.Killed, 137, 9));
        run.Advance(TimeSpan.FromSeconds(2));

        RunSnapshot snapshot = await run.Scheduler.SnapshotAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        snapshot.Finished.Should().BeFalse();
        snapshot.Accepting.Should().BeTrue();
        snapshot.TargetWorkers.Should().Be(1);
        WorkerSnapshot row = snapshot.Workers.Should().ContainSingle().Subject;
        row.Should().BeEquivalentTo(new { Number = 1, ProcessId = worker.Info.ProcessId, State = "ready", Launches = 1, LastLaunchReason = "start", Completed = 0L, Holding = 1 });
        RunningItem running = row.Running.Should().ContainSingle().Subject;
        running.Id.Should().Be(item.Id);
        running.Attempt.Should().Be(1);
        running.Running.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(2));
        snapshot.InFlight.Should().Be(1);
        snapshot.Queued.Should().Be(2);

        run.Scheduler.RequestStop(StopReason.Terminated, force: true);
        (await run.SummaryAsync()).StopReason.Should().Be(StopReason.Terminated);
    }

    [Fact]
    public async Task Failed_attempts_are_kept_newest_first_with_their_error_and_the_final_snapshot_outlives_the_run()
    {
        await using var run = SchedulerRun.Start(2, o => { o.MaxPrefetch = 1; o.MaxRetries = 1; o.RetryBaseDelay = TimeSpan.FromMilliseconds(10); o.RetryMaxDelay = TimeSpan.FromMilliseconds(10); });
        (FakeWorker worker, ItemMessage first) = await run.NextWorkerWithAnItemAsync(endWhenKilled: null);
        worker.Channel.Send(new FailureMessage(first.Id, 1, FailureKind.Retry, new RemoteError("System.IO.IOException", "disk full", "   at Job.Perform()")));

        // Everything that follows succeeds: the retry and the second item.
        Task serving = worker.ServeAsync();
        for (int step = 0; step < 500 && !run.Running.IsCompleted; step++)
        {
            // The retry waits out its backoff on the fake clock.
            run.Advance(TimeSpan.FromMilliseconds(20));
            await Task.Delay(10);
        }

        RunSummary summary = await run.SummaryAsync();
        RunSnapshot final = await run.Scheduler.SnapshotAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        summary.Succeeded.Should().Be(2);
        final.Finished.Should().BeTrue();
        final.Accepting.Should().BeFalse();
        final.Summary.Succeeded.Should().Be(2);
        final.Summary.Retries.Should().Be(1);
        final.Workers.Should().BeEmpty("every worker is gone once the run is over");
        FailedAttempt failure = final.RecentFailures.Should().ContainSingle().Subject;
        failure.Should().BeEquivalentTo(new { Id = first.Id, Attempt = 1, Outcome = "failed", Final = false });
        failure.Error!.Message.Should().Be("disk full");
        failure.Error.StackTrace.Should().Contain("Job.Perform");
        final.Durations.Sum(b => b.Count).Should().Be(3, "three attempts ran: the failure, its retry and the second item");
        await serving.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
