using Divvy.Jobs;
using Divvy.Protocol;
using Divvy.Scheduling;
using Divvy.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Divvy.Tests.Scheduling;

/// <summary>
/// A reader of results that falls behind (a stream's reader, or a slow <c>OnResultAsync</c>) holds
/// dispatch back: once <see cref="ResultRelay.Capacity"/> settled items wait for it, no new item
/// is handed out until it has caught up by half. Driven step by step with a fake worker: no clock.
/// </summary>
public sealed class SchedulerBackpressureTests
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(30);

    /// <summary>Items 1..n; its OnResultAsync waits at a gate the test opens, when it has one.</summary>
    private sealed class Gated(int count) : IParallelizable<int, int>
    {
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IEnumerable<int> Dispatch() => Enumerable.Range(1, count);

        public int Perform(int item) => throw new InvalidOperationException("fake workers perform nothing");

        public async ValueTask OnResultAsync(ItemResult<int, int> result, CancellationToken cancellationToken) => await Gate.Task.WaitAsync(cancellationToken);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_reader_that_falls_behind_stops_dispatch_at_the_relay_s_capacity_and_catching_up_resumes_it(bool streamed)
    {
        const int items = 3 * ResultRelay.Capacity;
        var job = new Gated(items);
        var adapter = new JobAdapter<int, int>(job, new JobShape(DispatchesSynchronously: true, ObservesAttempts: false, ReportsResultsAsynchronously: !streamed));
        ResultRelay? stream = streamed ? new ResultRelay(adapter, streamed: true) : null;
        var launcher = new FakeLauncher();
        // One item in a worker's hands at a time: items handed out = results + the one in hand.
        var options = new MasterOptions { Workers = 1, MaxPrefetch = 1, TimeProvider = new FakeTimeProvider() };
        using var scheduler = new Scheduler(adapter, options, launcher, stream);
        Task<RunSummary> running = Task.Run(scheduler.RunAsync);
        FakeWorker worker = await launcher.NextAsync();
        await worker.BootAsync();

        for (int i = 0; i < ResultRelay.Capacity; i++)
        {
            worker.Succeed(await worker.NextItemAsync(), i);
        }

        // Progress is published after the loop's hand-out step: once it shows the last result, that step has run.
        await WaitUntilAsync(() => scheduler.Progress.Succeeded == ResultRelay.Capacity);
        scheduler.Progress.Dispatched.Should().Be(ResultRelay.Capacity, "no item is handed out while the reader is a full relay behind");
        worker.Channel.Drain().OfType<ItemMessage>().Should().BeEmpty();

        // The reader catches up by half: the loop is woken and hands out the next item.
        Task reading = streamed ? ReadAllAsync(stream!) : Task.CompletedTask;
        job.Gate.TrySetResult();
        ItemMessage next = await worker.NextItemAsync();
        next.Id.Should().Be(ResultRelay.Capacity + 1);

        worker.Succeed(next, 0);
        int served = await worker.ServeAsync().WaitAsync(s_patience);
        RunSummary summary = await running.WaitAsync(s_patience);
        await reading.WaitAsync(s_patience);
        summary.Succeeded.Should().Be(items);
        (served + ResultRelay.Capacity + 1).Should().Be(items);
    }

    private static async Task ReadAllAsync(ResultRelay relay)
    {
        while (await relay.ReadAsync() is not null)
        {
            relay.Taken();
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var patience = new CancellationTokenSource(s_patience);
        while (!condition())
        {
            await Task.Delay(5, patience.Token);
        }
    }
}
