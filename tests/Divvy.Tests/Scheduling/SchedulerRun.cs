using System.Collections.Concurrent;
using Divvy.Jobs;
using Divvy.Launching;
using Divvy.Protocol;
using Divvy.Scheduling;
using Divvy.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Divvy.Tests.Scheduling;

/// <summary>
/// A scheduler run driven step by step: fake workers the test scripts, and a fake clock the test
/// advances. Nothing starts a process, and nothing waits on the wall clock but safety nets.
/// </summary>
internal sealed class SchedulerRun : IAsyncDisposable
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(30);

    private SchedulerRun(int items, MasterOptions options, FakeLauncher launcher)
    {
        Job = new Recorder(items);
        Launcher = launcher;
        Scheduler = new Scheduler(new JobAdapter<int, int>(Job, new JobShape(DispatchesSynchronously: true, ObservesAttempts: true)), options, launcher);
        Running = Task.Run(Scheduler.RunAsync);
    }

    public FakeTimeProvider Clock { get; private init; } = null!;

    public FakeLauncher Launcher { get; }

    public Recorder Job { get; }

    public Scheduler Scheduler { get; }

    public Task<RunSummary> Running { get; }

    /// <summary>Starts a run of items 1 to <paramref name="items"/> on a fake clock; <paramref name="configure"/> sets options (a small pool by default).</summary>
    public static SchedulerRun Start(int items, Action<MasterOptions>? configure = null, FakeLauncher? launcher = null)
    {
        var clock = new FakeTimeProvider();
        var options = new MasterOptions { Workers = 1, TimeProvider = clock, RetryBaseDelay = TimeSpan.Zero, RetryMaxDelay = TimeSpan.Zero };
        configure?.Invoke(options);
        return new SchedulerRun(items, options, launcher ?? new FakeLauncher()) { Clock = clock };
    }

    /// <summary>Options for an item timeout of 1 s with 1 s grace: the hard deadline is 2 s after the item starts.</summary>
    public static void HardDeadlineOfTwoSeconds(MasterOptions options)
    {
        options.ItemTimeout = TimeSpan.FromSeconds(1);
        options.ItemTimeoutGrace = TimeSpan.FromSeconds(1);
    }

    /// <summary>The next worker launched, booted, and the first item it is handed; it ends as <paramref name="endWhenKilled"/> says when killed.</summary>
    public async Task<(FakeWorker Worker, ItemMessage Item)> NextWorkerWithAnItemAsync(WorkerEnd? endWhenKilled)
    {
        FakeWorker worker = await Launcher.NextAsync();
        worker.EndWhenKilled = endWhenKilled;
        await worker.BootAsync();
        return (worker, await worker.NextItemAsync());
    }

    /// <summary>Moves the fake clock on in small steps, so periodic timers fire at each of their due times.</summary>
    public void Advance(TimeSpan by, TimeSpan? step = null)
    {
        TimeSpan each = step ?? TimeSpan.FromMilliseconds(100);
        for (TimeSpan done = TimeSpan.Zero; done < by; done += each)
        {
            Clock.Advance(each);
        }
    }

    /// <summary>The run's summary once it ends.</summary>
    public Task<RunSummary> SummaryAsync() => Running.WaitAsync(s_patience);

    public async ValueTask DisposeAsync()
    {
        if (!Running.IsCompleted)
        {
            Scheduler.RequestStop(StopReason.Terminated, force: true);
        }

        try
        {
            await Running.WaitAsync(s_patience);
        }
        catch (Exception)
        {
            // The test has asserted what it wanted; a run that failed is its business.
        }

        Scheduler.Dispose();
    }

    /// <summary>Dispatches 1..n and records every attempt and result the master reports.</summary>
    internal sealed class Recorder(int items) : IParallelizable<int, int>
    {
        public ConcurrentQueue<ItemResult<int, int>> Results { get; } = new();

        public ConcurrentQueue<ItemAttempt<int>> Attempts { get; } = new();

        public IEnumerable<int> Dispatch() => Enumerable.Range(1, items);

        public int Perform(int item) => throw new InvalidOperationException("fake workers perform nothing");

        public void OnAttempt(ItemAttempt<int> attempt) => Attempts.Enqueue(attempt);

        public void OnResult(ItemResult<int, int> result) => Results.Enqueue(result);
    }
}
