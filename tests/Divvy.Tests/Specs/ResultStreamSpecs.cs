using System.Collections.Concurrent;
using Divvy.Tests.Support;

namespace Divvy.Tests.Specs;

/// <summary>
/// Results as a stream (<see cref="Master.RunStreamingAsync{TItem, TResult}"/>): I read each item's
/// result as it settles, with <c>await foreach</c>. The workers are real worker loops in this process.
/// </summary>
public sealed class ResultStreamSpecs
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(60);

    /// <summary>Squares its items; some take longer, so items complete out of order. Records what OnResult saw, in its order.</summary>
    private sealed class Squares(int count, int slowEvery = 0) : IParallelizable<int, int>
    {
        public ConcurrentQueue<int> OnResultOrder { get; } = new();

        public IEnumerable<int> Dispatch() => Enumerable.Range(1, count);

        public int Perform(int item)
        {
            if (slowEvery > 0 && item % slowEvery == 0)
            {
                Thread.Sleep(20);
            }

            return item * item;
        }

        public void OnResult(ItemResult<int, int> result) => OnResultOrder.Enqueue(result.Item);
    }

    [Fact]
    public async Task Every_item_comes_out_of_the_stream_once_with_its_result_in_the_order_items_completed()
    {
        var job = new Squares(300, slowEvery: 7);
        Master master = InProcessMaster.For(job, 3, o => o.MaxPrefetch = 1);

        var streamed = new List<ItemResult<int, int>>();
        await foreach (ItemResult<int, int> result in master.RunStreamingAsync<int, int>().WithCancellation(CancellationToken.None))
        {
            streamed.Add(result);
        }

        streamed.Select(r => r.Item).Should().BeEquivalentTo(Enumerable.Range(1, 300), "every item once");
        streamed.Should().OnlyContain(r => r.Succeeded && r.Result == r.Item * r.Item);
        streamed.Select(r => r.Item).Should().Equal(job.OnResultOrder, "completion order is the order OnResult sees");
        master.Summary.Should().NotBeNull();
        master.Summary!.Succeeded.Should().Be(300);
        master.Summary.StopReason.Should().Be(StopReason.Completed);
    }

    [Fact]
    public async Task When_I_break_out_of_the_stream_the_run_stops_and_every_dispatched_item_is_accounted_for()
    {
        var job = new Squares(100_000);
        Master master = InProcessMaster.For(job, 2, out InProcessLauncher launcher);

        int read = 0;
        await foreach (ItemResult<int, int> result in master.RunStreamingAsync<int, int>())
        {
            if (++read == 5)
            {
                break;
            }
        }

        RunSummary summary = master.Summary!;
        summary.Should().NotBeNull("leaving the loop waits for the run to end");
        summary.StopReason.Should().Be(StopReason.Cancelled);
        summary.Dispatched.Should().BeLessThan(100_000, "the run stopped early");
        summary.Dispatched.Should().Be(summary.Succeeded + summary.NotPerformed, "nothing is lost: what was not performed says so");
        job.OnResultOrder.Should().HaveCount((int)summary.Dispatched).And.OnlyHaveUniqueItems("OnResult still sees every dispatched item once");
        launcher.Launched.Should().OnlyContain(w => w.Ended.IsCompleted, "no worker outlives the run");
    }

    [Fact]
    public async Task Cancelling_the_stream_stops_the_run_gracefully_and_the_rest_of_the_results_still_come()
    {
        var job = new Squares(100_000);
        Master master = InProcessMaster.For(job, 2);
        using var cancellation = new CancellationTokenSource();

        var streamed = new List<ItemResult<int, int>>();
        await foreach (ItemResult<int, int> result in master.RunStreamingAsync<int, int>().WithCancellation(cancellation.Token))
        {
            streamed.Add(result);
            if (streamed.Count == 10)
            {
                await cancellation.CancelAsync();
            }
        }

        RunSummary summary = master.Summary!;
        summary.StopReason.Should().Be(StopReason.Cancelled);
        streamed.Should().HaveCount((int)summary.Dispatched, "each dispatched item comes out once, performed or not");
        streamed.Select(r => r.Item).Should().OnlyHaveUniqueItems();
        streamed.Count(r => r.Status == ItemStatus.NotPerformed).Should().Be((int)summary.NotPerformed);
    }

    /// <summary>Items after the first wait in their workers until the reader says so: the workers are busy, and only their heartbeats say they are alive.</summary>
    private sealed class WaitingForTheReader : IParallelizable<int>
    {
        public TaskCompletionSource ReaderCaughtUp { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IEnumerable<int> Dispatch() => Enumerable.Range(1, 4);

        public void Perform(int item)
        {
            if (item > 1)
            {
                ReaderCaughtUp.Task.Wait(TimeSpan.FromMinutes(1));
            }
        }
    }

    [Fact]
    public async Task A_reader_slower_than_the_heartbeat_timeout_gets_no_worker_killed_as_unresponsive()
    {
        var job = new WaitingForTheReader();
        Master master = InProcessMaster.For(job, 2, o =>
        {
            o.MaxPrefetch = 1;
            o.HeartbeatInterval = TimeSpan.FromMilliseconds(100);
            o.HeartbeatTimeout = TimeSpan.FromSeconds(2);
        });

        await foreach (ItemResult<int, NoResult> result in master.RunStreamingAsync<int, NoResult>())
        {
            if (result.Item == 1)
            {
                // A reader busy for twice the heartbeat timeout: the master's loop is not the reader's.
                await Task.Delay(TimeSpan.FromSeconds(4));
                job.ReaderCaughtUp.TrySetResult();
            }
        }

        master.Summary!.WorkersUnresponsive.Should().Be(0);
        master.Summary.Succeeded.Should().Be(4);
    }

    [Fact]
    public async Task The_run_s_failure_is_thrown_after_the_last_result()
    {
        Master master = InProcessMaster.For(new FailingOnResult(), 1);

        var streamed = new List<int>();
        Func<Task> reading = async () =>
        {
            await foreach (ItemResult<int, NoResult> result in master.RunStreamingAsync<int, NoResult>())
            {
                streamed.Add(result.Item);
            }
        };

        (await reading.Should().ThrowAsync<InvalidOperationException>()).WithMessage("no room for 2");
        streamed.Should().Contain([1, 2], "the results that settled still came, before the failure");
    }

    private sealed class FailingOnResult : IParallelizable<int>
    {
        public IEnumerable<int> Dispatch() => [1, 2, 3];

        public void Perform(int item)
        {
        }

        public void OnResult(ItemResult<int, NoResult> result)
        {
            if (result.Item == 2)
            {
                throw new InvalidOperationException("no room for 2");
            }
        }
    }

    [Fact]
    public void Asking_for_the_wrong_types_is_refused_at_once_naming_the_right_ones()
    {
        Master master = InProcessMaster.For(new Squares(1), 1);

        Action asking = () => master.RunStreamingAsync<string, int>();

        asking.Should().Throw<InvalidOperationException>().WithMessage("job *Squares is IParallelizable<Int32, Int32>: stream its results with RunStreamingAsync<Int32, Int32>()");
    }

    [Fact]
    public async Task With_no_workers_the_stream_runs_everything_in_my_process_one_at_a_time()
    {
        var master = new Master(new Squares(4), new MasterOptions { Workers = 0, HandleSignals = false });

        var items = new List<int>();
        await foreach (ItemResult<int, int> result in master.RunStreamingAsync<int, int>())
        {
            items.Add(result.Item);
        }

        items.Should().Equal(1, 2, 3, 4);
        master.Summary!.Succeeded.Should().Be(4);
    }
}
