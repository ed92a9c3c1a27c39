using System.Collections.Concurrent;
using Divvy.Jobs;
using Divvy.Launching;
using Divvy.Scheduling;
using Divvy.Tests.Support;

namespace Divvy.Tests.Scheduling;

/// <summary>The scheduler driven through its launcher seam, with in-process workers: no process starts.</summary>
public sealed class SchedulerTests
{
    private static readonly TimeSpan s_runLimit = TimeSpan.FromSeconds(60);

    /// <summary>Squares its items and counts how often each was performed; can make its worker die on one item, once.</summary>
    private sealed class Squares(int count, int dieOn = 0) : IParallelizable<int, int>
    {
        private int _died;

        public ConcurrentDictionary<int, int> Performed { get; } = new();

        public IEnumerable<int> Dispatch() => Enumerable.Range(1, count);

        public int Perform(int item)
        {
            if (item == dieOn && Interlocked.Exchange(ref _died, 1) == 0)
            {
                InProcessWorker.Current!.Die();
            }
            else
            {
                Performed.AddOrUpdate(item, 1, (_, n) => n + 1);
            }

            return item * item;
        }
    }

    private static async Task<(RunSummary Summary, InProcessLauncher Launcher)> RunAsync(Squares job, MasterOptions options)
    {
        var adapter = new JobAdapter<int, int>(job);
        var launcher = new InProcessLauncher(adapter);
        using var scheduler = new Scheduler(adapter, options, launcher);
        RunSummary summary = await scheduler.RunAsync().WaitAsync(s_runLimit);
        return (summary, launcher);
    }

    /// <summary>
    /// A dying worker loses the results it had not flushed yet, as a real one does; with one item
    /// in hand at a time, the item it dies on is exactly the one the master sees it holding.
    /// </summary>
    private static MasterOptions OneItemAtATime(MasterOptions options)
    {
        options.MaxPrefetch = 1;
        return options;
    }

    [Fact]
    public async Task Three_in_process_workers_perform_every_item_once()
    {
        var job = new Squares(2_000);

        (RunSummary summary, InProcessLauncher launcher) = await RunAsync(job, new MasterOptions { Workers = 3 });

        summary.Succeeded.Should().Be(2_000);
        summary.WorkerCrashes.Should().Be(0);
        job.Performed.Keys.Should().BeEquivalentTo(Enumerable.Range(1, 2_000));
        job.Performed.Values.Should().AllSatisfy(n => n.Should().Be(1));
        launcher.Launched.Should().HaveCount(3);
        launcher.Launched.Select(w => w.Ended.Result.Kind).Should().AllBeEquivalentTo(WorkerEndKind.Exited);
    }

    [Fact]
    public async Task A_worker_whose_connection_is_lost_mid_item_has_that_item_sent_again_elsewhere_without_using_a_retry()
    {
        var job = new Squares(50, dieOn: 17);

        (RunSummary summary, InProcessLauncher launcher) = await RunAsync(job, OneItemAtATime(new MasterOptions { Workers = 2 }));

        summary.Succeeded.Should().Be(50);
        summary.WorkersLost.Should().Be(1);
        summary.WorkerCrashes.Should().Be(0);
        summary.Retries.Should().Be(0);
        job.Performed.Keys.Should().BeEquivalentTo(Enumerable.Range(1, 50));
        job.Performed.Values.Should().AllSatisfy(n => n.Should().Be(1));
        launcher.Launched.Select(w => w.Ended.Result.Kind).Should().Contain(WorkerEndKind.ConnectionLost);
        // Whether the lost slot is refilled depends on how much work is left when it goes: the
        // other worker may finish everything first, so that is not asserted here.
        launcher.Launched.Should().HaveCountGreaterThanOrEqualTo(2);
    }
}
