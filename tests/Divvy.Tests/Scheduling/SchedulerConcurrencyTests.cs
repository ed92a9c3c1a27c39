using Divvy.Launching;
using Divvy.Protocol;
using Divvy.Tests.Support;

namespace Divvy.Tests.Scheduling;

/// <summary>Workers that perform several items at once (<see cref="MasterOptions.MaxConcurrentItemsPerWorker"/>): what the master accepts and how it settles what they ran.</summary>
public sealed class SchedulerConcurrencyTests
{
    private static void TwoAtOnce(MasterOptions options) => options.MaxConcurrentItemsPerWorker = 2;

    /// <summary>Boots the next worker, checking that its Start tells it how many items it performs at once.</summary>
    private static async Task<FakeWorker> BootAsync(SchedulerRun run, int expectedConcurrency)
    {
        FakeWorker worker = await run.Launcher.NextAsync();
        (await worker.Channel.ReceiveAsync<StartMessage>()).MaxConcurrentItems.Should().Be(expectedConcurrency);
        worker.Channel.Send(new ReadyMessage(WireProtocol.Version, worker.Info.ProcessId ?? 0));
        return worker;
    }

    [Fact]
    public async Task A_worker_running_two_items_may_settle_them_out_of_order()
    {
        await using var run = SchedulerRun.Start(3, TwoAtOnce);
        FakeWorker worker = await BootAsync(run, expectedConcurrency: 2);
        ItemMessage first = await worker.NextItemAsync();
        ItemMessage second = await worker.NextItemAsync();

        worker.Succeed(second, 20, TimeSpan.FromSeconds(1));
        ItemMessage third = await worker.NextItemAsync();
        worker.Succeed(third, 30, TimeSpan.FromSeconds(1));
        worker.Succeed(first, 10, TimeSpan.FromSeconds(1));

        RunSummary summary = await run.SummaryAsync();
        summary.Succeeded.Should().Be(3);
        summary.WorkerCrashes.Should().Be(0);
        run.Job.Results.Select(r => (r.Item, r.Result)).Should().Equal((2, 20), (3, 30), (1, 10));
    }

    [Fact]
    public async Task A_worker_that_settles_an_item_it_has_not_started_breaks_the_protocol()
    {
        await using var run = SchedulerRun.Start(5, TwoAtOnce);
        FakeWorker worker = await BootAsync(run, expectedConcurrency: 2);
        ItemMessage first = await worker.NextItemAsync();
        await worker.NextItemAsync();

        // A fast item opens the prefetch window: items 3 to 5 follow; 2 and 3 run, 4 and 5 wait.
        worker.Succeed(first, 1, TimeSpan.FromTicks(1));
        var queued = new List<ItemMessage> { await worker.NextItemAsync(), await worker.NextItemAsync(), await worker.NextItemAsync() };
        queued.Select(i => i.Id).Should().Equal(3, 4, 5);
        worker.Succeed(queued[^1], 5);

        (await worker.KilledAsync()).Should().Be(KillReason.ProtocolError);
        FakeWorker second = await BootAsync(run, expectedConcurrency: 2);
        Task<int> serving = second.ServeAsync();

        RunSummary summary = await run.SummaryAsync();
        summary.Crashed.Should().Be(2, "the two items the refused worker was running crashed with it");
        summary.Succeeded.Should().Be(3, "item 1, and items 4 and 5 sent again to the replacement");
        (await serving).Should().Be(2);
        run.Job.Results.Where(r => r.Status == ItemStatus.Crashed).Select(r => r.Item).Should().BeEquivalentTo([2, 3]);
        run.Job.Results.First(r => r.Status == ItemStatus.Crashed).Error!.Message.Should().Contain("settled item 5, but the items it performs are 2, 3");
    }

    [Fact]
    public async Task Each_running_item_has_its_own_hard_deadline_and_only_the_overdue_one_times_out()
    {
        await using var run = SchedulerRun.Start(3, o => { TwoAtOnce(o); SchedulerRun.HardDeadlineOfTwoSeconds(o); });
        FakeWorker worker = await BootAsync(run, expectedConcurrency: 2);
        ItemMessage first = await worker.NextItemAsync();
        await worker.NextItemAsync();

        // At 1.5 s item 1 completes and item 3 starts; at 2 s item 2 is past its deadline, item 3 is not.
        run.Advance(TimeSpan.FromSeconds(1.5));
        worker.Succeed(first, 1, TimeSpan.FromSeconds(1.5));
        (await worker.NextItemAsync()).Id.Should().Be(3);
        run.Advance(TimeSpan.FromSeconds(1));

        (await worker.KilledAsync()).Should().Be(KillReason.HardTimeout);
        FakeWorker second = await BootAsync(run, expectedConcurrency: 2);
        second.Succeed(await second.NextItemAsync(), 3);

        RunSummary summary = await run.SummaryAsync();
        summary.TimedOut.Should().Be(1);
        summary.Succeeded.Should().Be(2);
        summary.Retries.Should().Be(0);
        run.Job.Results.Single(r => r.Status == ItemStatus.TimedOut).Item.Should().Be(2);
        run.Job.Results.Single(r => r.Item == 3).Attempts.Should().Be(1, "cut short by the kill, not by its own deadline: no attempt used");
    }

    [Fact]
    public async Task A_crash_with_two_items_running_charges_both_as_shared_and_sends_the_queued_one_again()
    {
        await using var run = SchedulerRun.Start(4, o => { TwoAtOnce(o); o.MaxRetries = 1; o.PoisonThreshold = 1; });
        FakeWorker worker = await BootAsync(run, expectedConcurrency: 2);
        ItemMessage first = await worker.NextItemAsync();
        await worker.NextItemAsync();
        worker.Succeed(first, 1, TimeSpan.FromTicks(1));
        (await worker.NextItemAsync()).Id.Should().Be(3);
        (await worker.NextItemAsync()).Id.Should().Be(4);

        worker.End(new WorkerEnd(WorkerEndKind.Killed, 137, 9));
        FakeWorker second = await BootAsync(run, expectedConcurrency: 2);
        Task<int> serving = second.ServeAsync();

        RunSummary summary = await run.SummaryAsync();
        summary.WorkerCrashes.Should().Be(1);
        summary.Succeeded.Should().Be(4);
        summary.Quarantined.Should().Be(0, "a crash shared by two running items is pinned on neither, even with PoisonThreshold 1");
        (await serving).Should().Be(3);
        run.Job.Attempts.Where(a => a.Outcome == AttemptOutcome.Crashed).Select(a => a.Item).Should().BeEquivalentTo([2, 3]);
        run.Job.Results.Single(r => r.Item == 4).Attempts.Should().Be(1, "the queued item never started");
        run.Job.Results.Where(r => r.Item is 2 or 3).Should().OnlyContain(r => r.Attempts == 2);
    }
}
