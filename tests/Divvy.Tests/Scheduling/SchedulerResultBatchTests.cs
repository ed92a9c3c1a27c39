using Divvy.Jobs;
using Divvy.Launching;
using Divvy.Protocol;
using Divvy.Tests.Support;

namespace Divvy.Tests.Scheduling;

/// <summary>Several results in one message settle like as many single results, fencing and protocol checks included.</summary>
public sealed class SchedulerResultBatchTests
{
    private static ResultEntry Entry(long id, int result) => new(id, TimeSpan.FromMilliseconds(1).Ticks, Serialization.SerializeItem(result));

    [Fact]
    public async Task A_batch_of_results_settles_every_item_it_names_once_in_the_order_the_worker_finished_them()
    {
        await using var run = SchedulerRun.Start(3, o => o.MaxPrefetch = 1);
        (FakeWorker worker, ItemMessage first) = await run.NextWorkerWithAnItemAsync(endWhenKilled: null);
        worker.Succeed(first, 10);
        ItemMessage second = await worker.NextItemAsync();
        worker.Channel.Send(new ResultsMessage([Entry(second.Id, 20)]));
        ItemMessage third = await worker.NextItemAsync();

        worker.Channel.Send(new ResultsMessage([Entry(third.Id, 30)]));

        RunSummary summary = await run.SummaryAsync();
        summary.Succeeded.Should().Be(3);
        run.Job.Results.Select(r => (r.Item, r.Result)).Should().Equal((1, 10), (2, 20), (3, 30));
    }

    [Fact]
    public async Task A_worker_holding_several_items_may_settle_them_all_in_one_batch()
    {
        await using var run = SchedulerRun.Start(3, o => o.MaxPrefetch = 3);
        (FakeWorker worker, ItemMessage first) = await run.NextWorkerWithAnItemAsync(endWhenKilled: null);

        // A microsecond item: the window opens to the cap, and the other two items follow.
        worker.Channel.Send(new ResultsMessage([new ResultEntry(first.Id, 10, Serialization.SerializeItem(10))]));
        ItemMessage second = await worker.NextItemAsync();
        ItemMessage third = await worker.NextItemAsync();
        worker.Channel.Send(new ResultsMessage([Entry(second.Id, 20), Entry(third.Id, 30)]));

        (await run.SummaryAsync()).Succeeded.Should().Be(3);
        run.Job.Results.Select(r => r.Result).Should().Equal(10, 20, 30);
    }

    [Fact]
    public async Task A_batch_from_a_worker_already_written_off_is_refused_result_by_result()
    {
        await using var run = SchedulerRun.Start(1, SchedulerRun.HardDeadlineOfTwoSeconds);
        (FakeWorker worker, ItemMessage item) = await run.NextWorkerWithAnItemAsync(endWhenKilled: null);

        run.Advance(TimeSpan.FromSeconds(3));
        (await worker.KilledAsync()).Should().Be(KillReason.HardTimeout);
        worker.Channel.Send(new ResultsMessage([Entry(item.Id, 1), Entry(item.Id + 1, 2)]));
        worker.End(new WorkerEnd(WorkerEndKind.Killed, 137, 9));

        RunSummary summary = await run.SummaryAsync();
        summary.LateResultsRejected.Should().Be(2);
        summary.TimedOut.Should().Be(1);
        summary.Succeeded.Should().Be(0);
    }
}
