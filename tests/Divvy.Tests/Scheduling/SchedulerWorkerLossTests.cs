using Divvy.Launching;
using Divvy.Protocol;
using Divvy.Tests.Support;

namespace Divvy.Tests.Scheduling;

/// <summary>Workers that crash, go silent or lose their connection: what becomes of the items they held.</summary>
public sealed class SchedulerWorkerLossTests
{
    private static readonly WorkerEnd s_connectionLost = new(WorkerEndKind.ConnectionLost, null, null);

    [Fact]
    public async Task A_lost_connection_sends_the_item_again_without_using_a_retry_or_counting_toward_poison()
    {
        await using var run = SchedulerRun.Start(1, o => { o.MaxRetries = 0; o.PoisonThreshold = 1; });
        FakeWorker first = await run.Launcher.NextAsync();
        await first.BootAsync();
        await first.NextItemAsync();
        first.LoseConnection();
        FakeWorker second = await run.Launcher.NextAsync();
        await second.BootAsync();
        second.Succeed(await second.NextItemAsync(), 1);

        RunSummary summary = await run.SummaryAsync();
        summary.Succeeded.Should().Be(1);
        summary.WorkersLost.Should().Be(1);
        summary.WorkerCrashes.Should().Be(0);
        summary.Crashed.Should().Be(0);
        summary.Quarantined.Should().Be(0);
        summary.Retries.Should().Be(0);
        summary.SpawnsByReason.Should().Contain("lost", 1);
        run.Job.Attempts.Select(a => (a.Outcome, a.RetryDelay)).Should().Equal((AttemptOutcome.WorkerLost, TimeSpan.Zero), (AttemptOutcome.Succeeded, (TimeSpan?)null));
        run.Job.Results.Should().ContainSingle().Which.Attempts.Should().Be(2);
        run.Job.Attempts.First().Error!.Kind.Should().Be(RemoteErrorKind.WorkerLost);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task An_item_that_loses_every_worker_it_touches_is_quarantined_after_MaxConnectionLosses(int cap)
    {
        await using var run = SchedulerRun.Start(1, o => { o.MaxConnectionLosses = cap; o.MaxRetries = 5; });
        for (int i = 0; i < cap; i++)
        {
            FakeWorker worker = await run.Launcher.NextAsync();
            await worker.BootAsync();
            await worker.NextItemAsync();
            worker.LoseConnection();
        }

        RunSummary summary = await run.SummaryAsync();
        summary.Quarantined.Should().Be(1);
        summary.WorkersLost.Should().Be(cap);
        run.Launcher.Launches.Should().Be(cap);
        run.Job.Attempts.Should().HaveCount(cap).And.OnlyContain(a => a.Outcome == AttemptOutcome.WorkerLost);
        run.Job.Attempts.Last().RetryDelay.Should().BeNull();
        run.Job.Results.Should().ContainSingle().Which.Status.Should().Be(ItemStatus.Quarantined);
    }

    [Fact]
    public async Task A_remote_worker_killed_at_the_hard_deadline_still_times_its_item_out_though_its_handle_reports_a_lost_connection()
    {
        await using var run = SchedulerRun.Start(1, SchedulerRun.HardDeadlineOfTwoSeconds);
        (FakeWorker worker, _) = await run.NextWorkerWithAnItemAsync(s_connectionLost);

        run.Advance(TimeSpan.FromSeconds(3));

        (await worker.KilledAsync()).Should().Be(KillReason.HardTimeout);
        RunSummary summary = await run.SummaryAsync();
        summary.TimedOut.Should().Be(1);
        summary.WorkersTimedOut.Should().Be(1);
        summary.WorkersLost.Should().Be(0);
    }

    [Fact]
    public async Task Items_queued_behind_the_one_in_progress_go_back_to_the_queue_when_the_connection_is_lost()
    {
        await using var run = SchedulerRun.Start(3, o => o.MaxConnectionLosses = 1);
        FakeWorker first = await run.Launcher.NextAsync();
        await first.BootAsync();
        ItemMessage head = await first.NextItemAsync();
        first.Succeed(head, 0, TimeSpan.FromTicks(1));
        var held = new List<ItemMessage> { await first.NextItemAsync() };
        held.Add(await first.NextItemAsync());
        first.LoseConnection();
        FakeWorker second = await run.Launcher.NextAsync();
        await second.BootAsync();
        second.Succeed(await second.NextItemAsync(), 0);

        RunSummary summary = await run.SummaryAsync();
        summary.Quarantined.Should().Be(1, "the item in progress lost its only allowed connection");
        summary.Succeeded.Should().Be(2, "the item queued behind it went back to the queue, not counted");
        run.Job.Results.Select(r => r.Item).Should().BeEquivalentTo([1, 2, 3]);
    }

    [Theory]
    [InlineData(false, 1, 0)]
    [InlineData(true, 0, 1)]
    public async Task A_worker_silent_past_the_heartbeat_timeout_is_killed_and_its_item_tried_again(bool remote, int retriesUsed, int lost)
    {
        await using var run = SchedulerRun.Start(1, o => { o.HeartbeatInterval = TimeSpan.FromSeconds(1); o.HeartbeatTimeout = TimeSpan.FromSeconds(3); o.MaxRetries = 1; });
        FakeWorker silent = await run.Launcher.NextAsync();
        if (remote)
        {
            // A remote worker's handle reports the connection it cut, not a process's end.
            silent.EndWhenKilled = s_connectionLost;
        }

        await silent.BootAsync();
        await silent.NextItemAsync();

        run.Advance(TimeSpan.FromSeconds(4));

        (await silent.KilledAsync()).Should().Be(KillReason.Unresponsive);
        FakeWorker second = await run.Launcher.NextAsync();
        await second.BootAsync();
        second.Succeed(await second.NextItemAsync(), 1);
        RunSummary summary = await run.SummaryAsync();
        summary.Succeeded.Should().Be(1);
        summary.WorkersUnresponsive.Should().Be(1);
        summary.WorkersLost.Should().Be(lost);
        summary.Retries.Should().Be(retriesUsed, "a local worker killed for silence crashed its item, which uses a retry; a lost connection does not");
        summary.SpawnsByReason.Should().Contain("unresponsive", 1);
    }

    [Fact]
    public async Task A_worker_that_answers_heartbeats_is_not_killed_however_long_its_item_runs()
    {
        // A pong reaches the scheduler through the channel's read loop, another task than the one
        // that sends the next ping: on a loaded machine it can arrive a tick or two after it. The
        // timeout leaves room for three such ticks; the item runs for four timeouts.
        await using var run = SchedulerRun.Start(1, o => { o.HeartbeatInterval = TimeSpan.FromSeconds(1); o.HeartbeatTimeout = TimeSpan.FromSeconds(5); });
        FakeWorker worker = await run.Launcher.NextAsync();
        await worker.BootAsync();
        ItemMessage item = await worker.NextItemAsync();

        for (int i = 0; i < 20; i++)
        {
            run.Advance(TimeSpan.FromSeconds(1));
            await worker.Channel.ReceiveAsync<PingMessage>();
            worker.Channel.Send(PongMessage.Instance);
        }

        worker.Killed.IsCompleted.Should().BeFalse();
        worker.Succeed(item, 1);
        (await run.SummaryAsync()).Succeeded.Should().Be(1);
    }
}
