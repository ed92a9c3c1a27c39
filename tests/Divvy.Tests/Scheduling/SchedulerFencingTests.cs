using Divvy.Launching;
using Divvy.Protocol;
using Divvy.Tests.Support;

namespace Divvy.Tests.Scheduling;

/// <summary>Every connection has an incarnation; once the scheduler has written one off, nothing it still says settles an item.</summary>
public sealed class SchedulerFencingTests
{
    [Fact]
    public async Task A_result_that_arrives_after_the_worker_was_killed_at_the_hard_deadline_is_refused_and_the_item_settles_once_as_timed_out()
    {
        await using var run = SchedulerRun.Start(1, SchedulerRun.HardDeadlineOfTwoSeconds);
        (FakeWorker worker, ItemMessage item) = await run.NextWorkerWithAnItemAsync(endWhenKilled: null);

        run.Advance(TimeSpan.FromSeconds(3));
        (await worker.KilledAsync()).Should().Be(KillReason.HardTimeout);
        worker.Succeed(item, 1);
        worker.End(new WorkerEnd(WorkerEndKind.Killed, 137, 9));

        RunSummary summary = await run.SummaryAsync();
        summary.TimedOut.Should().Be(1);
        summary.Succeeded.Should().Be(0);
        summary.LateResultsRejected.Should().Be(1);
        ItemResult<int, int> result = run.Job.Results.Should().ContainSingle().Subject;
        result.Status.Should().Be(ItemStatus.TimedOut);
        result.Error!.Kind.Should().Be(RemoteErrorKind.ItemTimedOut);
        result.Error.Type.Should().BeEmpty("no exception was thrown: the master killed the worker");
    }

    [Fact]
    public async Task Refused_messages_are_logged_once_at_debug_naming_the_incarnation_and_counted_in_the_metrics()
    {
        var log = new CapturingLoggerFactory();
        await using var run = SchedulerRun.Start(1, o => { o.LoggerFactory = log; SchedulerRun.HardDeadlineOfTwoSeconds(o); });
        using var metrics = new MeterTotals(run.Scheduler.Metrics.Meter);
        (FakeWorker worker, ItemMessage item) = await run.NextWorkerWithAnItemAsync(endWhenKilled: null);

        run.Advance(TimeSpan.FromSeconds(3));
        await worker.KilledAsync();
        worker.Succeed(item, 1);
        worker.Channel.Send(new FailureMessage(item.Id + 1, 1, FailureKind.Permanent, new RemoteError("System.Exception", "late", "")));
        worker.End(new WorkerEnd(WorkerEndKind.Killed, 137, 9));

        (await run.SummaryAsync()).LateResultsRejected.Should().Be(2);
        log.Entries.Where(e => e.Message.Contains("refusing", StringComparison.Ordinal)).Should().ContainSingle()
            .Which.Should().Be((Microsoft.Extensions.Logging.LogLevel.Debug, "Divvy.Master", $"worker 1, pid 10001, incarnation 1 was written off (HardTimeout); refusing what it still sends, starting with item {item.Id}"));
        log.Entries.Should().Contain(e => e.Message == "worker 1, pid 10001, incarnation 1 spawned (1 so far)");
        metrics["divvy.late_results.rejected"].Should().Be(2);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Results_from_a_worker_killed_for_breaking_the_protocol_are_refused_and_its_item_settles_through_the_crash(bool inOneResultsFrame)
    {
        await using var run = SchedulerRun.Start(2, o => o.MaxPrefetch = 1);
        (FakeWorker worker, ItemMessage item) = await run.NextWorkerWithAnItemAsync(endWhenKilled: null);

        // Item 999 was never sent: the worker is refused, and what follows in the same batch too
        // (messages read together, or the entries of one Results frame).
        byte[] zero = Divvy.Jobs.Serialization.SerializeItem(0), one = Divvy.Jobs.Serialization.SerializeItem(1);
        worker.Channel.Send(inOneResultsFrame
            ? [new ResultsMessage([new ResultEntry(999, 1, zero), new ResultEntry(item.Id, 1, one)])]
            : [new ResultMessage(999, 1, zero), new ResultMessage(item.Id, 1, one)]);
        (await worker.KilledAsync()).Should().Be(KillReason.ProtocolError);
        worker.End(new WorkerEnd(WorkerEndKind.Killed, 137, 9));
        FakeWorker second = await run.Launcher.NextAsync();
        await second.BootAsync();
        second.Succeed(await second.NextItemAsync(), 0);

        RunSummary summary = await run.SummaryAsync();
        summary.LateResultsRejected.Should().Be(1);
        summary.Crashed.Should().Be(1);
        summary.Succeeded.Should().Be(1);
        run.Job.Results.Select(r => r.Item).Should().BeEquivalentTo([1, 2], "every item settles exactly once");
        run.Job.Results.Single(r => r.Status == ItemStatus.Crashed).Error!.Kind.Should().Be(RemoteErrorKind.ProtocolViolation);
    }

    [Fact]
    public async Task A_worker_that_crashes_mid_item_has_the_item_tried_again_on_its_replacement_and_counted_as_a_crash()
    {
        await using var run = SchedulerRun.Start(1, o => o.MaxRetries = 1);
        FakeWorker first = await run.Launcher.NextAsync();
        await first.BootAsync();
        await first.NextItemAsync();
        first.Exit(3);
        FakeWorker second = await run.Launcher.NextAsync();
        await second.BootAsync();
        second.Succeed(await second.NextItemAsync(), 1);

        RunSummary summary = await run.SummaryAsync();
        summary.Succeeded.Should().Be(1);
        summary.WorkerCrashes.Should().Be(1);
        run.Launcher.Launches.Should().Be(2);
        ItemAttempt<int> crashed = run.Job.Attempts.First();
        crashed.Outcome.Should().Be(AttemptOutcome.Crashed);
        crashed.Error!.Kind.Should().Be(RemoteErrorKind.WorkerCrashed);
        crashed.Error.ToString().Should().Be("worker crashed: worker 1, pid 10001 exit code 3 while performing the item");
    }
}
