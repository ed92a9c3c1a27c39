using Divvy.Protocol;
using Divvy.Tests.Support;

namespace Divvy.Tests.Scheduling;

/// <summary>Growing and shrinking the pool while workers hold items.</summary>
public sealed class SchedulerResizeTests
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(30);

    /// <summary>Two workers, booted, each holding one of four items.</summary>
    private static async Task<(SchedulerRun Run, FakeWorker First, ItemMessage FirstItem, FakeWorker Second, ItemMessage SecondItem)> TwoBusyWorkersAsync()
    {
        var run = SchedulerRun.Start(4, o => { o.Workers = 2; o.MaxPrefetch = 1; });
        FakeWorker first = await run.Launcher.NextAsync();
        FakeWorker second = await run.Launcher.NextAsync();
        await first.BootAsync();
        await second.BootAsync();
        return (run, first, await first.NextItemAsync(), second, await second.NextItemAsync());
    }

    /// <summary>Waits until the loop has taken the resize (the target is the one thing it publishes at once).</summary>
    private static void ResizeTo(SchedulerRun run, int workers)
    {
        run.Scheduler.Resize(workers);
        SpinWait.SpinUntil(() => run.Scheduler.TargetWorkers == workers, s_patience).Should().BeTrue();
    }

    [Fact]
    public async Task Shrinking_the_pool_lets_a_busy_worker_finish_its_item_and_then_stops_it()
    {
        (SchedulerRun run, FakeWorker first, ItemMessage firstItem, FakeWorker second, ItemMessage secondItem) = await TwoBusyWorkersAsync();
        await using (run)
        {
            ResizeTo(run, 1);
            second.Succeed(secondItem, 0);
            await second.Channel.ReceiveAsync<StopMessage>();
            first.Succeed(firstItem, 0);
            int rest = await first.ServeAsync();

            RunSummary summary = await run.SummaryAsync();
            summary.Succeeded.Should().Be(4);
            rest.Should().Be(2, "the remaining items all went to the worker that stayed");
            second.Channel.Received.OfType<ItemMessage>().Should().ContainSingle("a draining worker gets nothing more");
            run.Launcher.Launches.Should().Be(2);
        }
    }

    [Fact]
    public async Task Growing_again_during_the_drain_keeps_the_draining_worker_rather_than_launching_another()
    {
        (SchedulerRun run, FakeWorker first, ItemMessage firstItem, FakeWorker second, ItemMessage secondItem) = await TwoBusyWorkersAsync();
        await using (run)
        {
            ResizeTo(run, 1);
            ResizeTo(run, 2);
            second.Succeed(secondItem, 0);
            first.Succeed(firstItem, 0);
            int[] rest = await Task.WhenAll(first.ServeAsync(), second.ServeAsync());

            RunSummary summary = await run.SummaryAsync();
            summary.Succeeded.Should().Be(4);
            rest.Sum().Should().Be(2);
            second.Channel.Received.OfType<ItemMessage>().Count().Should().Be(1 + rest[1]);
            run.Launcher.Launches.Should().Be(2, "the draining worker was kept");
        }
    }

    [Fact]
    public async Task Shrinking_to_zero_pauses_the_run_and_growing_again_resumes_it()
    {
        (SchedulerRun run, FakeWorker first, ItemMessage firstItem, FakeWorker second, ItemMessage secondItem) = await TwoBusyWorkersAsync();
        await using (run)
        {
            ResizeTo(run, 0);
            first.Succeed(firstItem, 0);
            second.Succeed(secondItem, 0);
            await first.Channel.ReceiveAsync<StopMessage>();
            await second.Channel.ReceiveAsync<StopMessage>();
            await first.EndedAsync();
            await second.EndedAsync();

            ResizeTo(run, 1);
            FakeWorker third = await run.Launcher.NextAsync();
            await third.BootAsync();
            int rest = await third.ServeAsync();

            (await run.SummaryAsync()).Succeeded.Should().Be(4);
            rest.Should().Be(2);
        }
    }
}
