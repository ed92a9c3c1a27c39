using System.Collections.Concurrent;
using Divvy.Tests.Support;

namespace Divvy.Tests.Specs;

/// <summary>
/// The hooks' async forms (<c>BeforeSpawnAsync</c>, <c>AfterSpawnAsync</c>, <c>OnResultAsync</c>):
/// I/O in a hook does not hold up the master's loop. The workers are real worker loops in this process.
/// </summary>
public sealed class AsyncHookSpecs
{
    /// <summary>Writes each result "to a database" that sometimes takes a moment; notes how many calls ran at once, and in which order.</summary>
    private sealed class Recording(int count) : IParallelizable<int, int>
    {
        private int _running;

        public ConcurrentQueue<int> Attempts { get; } = new();

        public ConcurrentQueue<int> Results { get; } = new();

        public int MostAtOnce { get; private set; }

        public int SyncCalls { get; private set; }

        public int ResultsWhenCompleted { get; private set; } = -1;

        public IEnumerable<int> Dispatch() => Enumerable.Range(1, count);

        public int Perform(int item) => item;

        public void OnAttempt(ItemAttempt<int> attempt) => Attempts.Enqueue(attempt.Item);

        public void OnResult(ItemResult<int, int> result) => SyncCalls++;

        public async ValueTask OnResultAsync(ItemResult<int, int> result, CancellationToken cancellationToken)
        {
            int now = Interlocked.Increment(ref _running);
            MostAtOnce = Math.Max(MostAtOnce, now);
            if (result.Item % 10 == 0)
            {
                await Task.Delay(5, cancellationToken);
            }
            else
            {
                await Task.Yield();
            }

            Results.Enqueue(result.Item);
            Interlocked.Decrement(ref _running);
        }

        public void OnCompleted(RunSummary summary) => ResultsWhenCompleted = Results.Count;
    }

    [Fact]
    public async Task OnResultAsync_is_called_once_per_item_in_completion_order_one_call_at_a_time_and_all_before_OnCompleted()
    {
        var job = new Recording(300);

        RunSummary summary = await InProcessMaster.For(job, 3, o => o.MaxPrefetch = 2).RunAsync();

        summary.Succeeded.Should().Be(300);
        job.Results.Should().Equal(job.Attempts, "results settle in the order their (only) attempts ended");
        job.Results.Should().BeEquivalentTo(Enumerable.Range(1, 300));
        job.MostAtOnce.Should().Be(1);
        job.SyncCalls.Should().Be(0, "a job with OnResultAsync gets that form only");
        job.ResultsWhenCompleted.Should().Be(300);
    }

    /// <summary>
    /// Its first result takes a while to store (longer than the heartbeat timeout); every later item
    /// waits in its worker until that is done, so the workers are busy, and only their heartbeats
    /// say they are alive, for the whole time.
    /// </summary>
    private sealed class SlowFirstResult(TimeSpan slowness) : IParallelizable<int>
    {
        private readonly TaskCompletionSource _stored = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IEnumerable<int> Dispatch() => Enumerable.Range(1, 4);

        public void Perform(int item)
        {
            if (item > 1)
            {
                _stored.Task.Wait(TimeSpan.FromMinutes(1));
            }
        }

        public async ValueTask OnResultAsync(ItemResult<int, NoResult> result, CancellationToken cancellationToken)
        {
            if (result.Item == 1)
            {
                await Task.Delay(slowness, cancellationToken);
                _stored.TrySetResult();
            }
        }
    }

    [Fact]
    public async Task A_slow_OnResultAsync_does_not_stop_the_master_answering_heartbeats_so_no_worker_is_killed_as_unresponsive()
    {
        var job = new SlowFirstResult(TimeSpan.FromSeconds(4));

        RunSummary summary = await InProcessMaster.For(job, 2, o =>
        {
            o.MaxPrefetch = 1;
            o.HeartbeatInterval = TimeSpan.FromMilliseconds(100);
            o.HeartbeatTimeout = TimeSpan.FromSeconds(2);
        }).RunAsync();

        summary.WorkersUnresponsive.Should().Be(0, "the loop went on pinging while the hook ran");
        summary.WorkerCrashes.Should().Be(0);
        summary.Succeeded.Should().Be(4);
    }

    private sealed class Failing : IParallelizable<int>
    {
        public ConcurrentQueue<int> Calls { get; } = new();

        public int Yielded { get; private set; }

        public IEnumerable<int> Dispatch()
        {
            for (int item = 1; item <= 20; item++)
            {
                Yielded++;
                yield return item;
            }
        }

        public void Perform(int item)
        {
        }

        public async ValueTask OnResultAsync(ItemResult<int, NoResult> result, CancellationToken cancellationToken)
        {
            await Task.Yield();
            Calls.Enqueue(result.Item);
            throw new IOException($"database gone at {result.Item}");
        }
    }

    [Fact]
    public async Task An_OnResultAsync_that_throws_stops_the_run_which_throws_it_at_the_end_and_every_item_still_gets_its_call()
    {
        var job = new Failing();
        Master master = InProcessMaster.For(job, 1);

        Func<Task> running = () => master.RunAsync();

        (await running.Should().ThrowAsync<IOException>()).WithMessage("database gone at *");
        job.Calls.Should().OnlyHaveUniqueItems().And.HaveCount(job.Yielded, "every item Dispatch yielded settled, and got its call");
    }

    /// <summary>Records, per worker, when its boot hooks ran and what it performed; the hooks really wait.</summary>
    private sealed class Booting(int count) : IParallelizable<int>
    {
        private readonly ConcurrentDictionary<int, bool> _ready = new();

        public ConcurrentQueue<string> Events { get; } = new();

        public ConcurrentQueue<int> PerformedBeforeReady { get; } = new();

        public IEnumerable<int> Dispatch() => Enumerable.Range(1, count);

        public async ValueTask BeforeSpawnAsync(WorkerInfo worker, CancellationToken cancellationToken)
        {
            await Task.Delay(20, cancellationToken);
            Events.Enqueue($"before {worker.Number}");
        }

        public async ValueTask AfterSpawnAsync(WorkerInfo worker, CancellationToken cancellationToken)
        {
            int number = InProcessWorker.Current!.Info.Number;
            Events.Enqueue($"after {number} started");
            await Task.Delay(100, cancellationToken);
            _ready[number] = true;
            Events.Enqueue($"after {number} done");
        }

        public void Perform(int item)
        {
            if (!_ready.ContainsKey(InProcessWorker.Current!.Info.Number))
            {
                PerformedBeforeReady.Enqueue(item);
            }
        }
    }

    [Fact]
    public async Task AfterSpawnAsync_runs_in_each_worker_before_its_first_item_and_BeforeSpawnAsync_before_each_launch()
    {
        var job = new Booting(50);
        Master master = InProcessMaster.For(job, 2, out InProcessLauncher launcher);

        RunSummary summary = await master.RunAsync();

        summary.Succeeded.Should().Be(50);
        job.PerformedBeforeReady.Should().BeEmpty("no item was performed before its worker's AfterSpawnAsync returned");
        var events = job.Events.ToList();
        foreach (InProcessWorker worker in launcher.Launched)
        {
            int number = worker.Info.Number;
            events.Should().ContainInOrder($"before {number}", $"after {number} started", $"after {number} done");
        }

        events.Count(e => e.StartsWith("before ", StringComparison.Ordinal)).Should().Be(launcher.Launched.Count, "one BeforeSpawnAsync per launch");
    }

    private sealed class RefusingToSpawn : IParallelizable<int>
    {
        public IEnumerable<int> Dispatch() => [1, 2];

        public void Perform(int item)
        {
        }

        public async ValueTask BeforeSpawnAsync(WorkerInfo worker, CancellationToken cancellationToken)
        {
            await Task.Yield();
            throw new UnauthorizedAccessException("no quota for a worker");
        }
    }

    [Fact]
    public async Task A_BeforeSpawnAsync_that_throws_stops_the_run_before_any_launch_and_the_run_throws_it()
    {
        Master master = InProcessMaster.For(new RefusingToSpawn(), 2, out InProcessLauncher launcher);

        Func<Task> running = () => master.RunAsync();

        (await running.Should().ThrowAsync<UnauthorizedAccessException>()).WithMessage("no quota for a worker");
        launcher.Launched.Should().BeEmpty();
    }
}
