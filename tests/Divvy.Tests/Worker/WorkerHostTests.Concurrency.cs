using Divvy.Jobs;
using Divvy.Protocol;
using Divvy.Worker;
using MessagePack;

namespace Divvy.Tests.Worker;

/// <summary>The worker loop with <c>MaxConcurrentItems</c> above one: several items at once, each with its own deadline and result.</summary>
public sealed partial class WorkerHostTests
{
    /// <summary>Items that wait until the test opens their gate; an item with no gate waits for its token.</summary>
    private sealed class Gates : IParallelizable<int, int>
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<int, TaskCompletionSource> _gates = new();
        private int _running;
        private int _mostRunning;

        public System.Collections.Concurrent.ConcurrentQueue<int> Started { get; } = new();

        public int MostRunning => Volatile.Read(ref _mostRunning);

        public IEnumerable<int> Dispatch() => [];

        public void Open(int item) => Gate(item).TrySetResult();

        public async ValueTask<int> PerformAsync(int item, CancellationToken cancellationToken)
        {
            int now = Interlocked.Increment(ref _running);
            int most;
            while (now > (most = Volatile.Read(ref _mostRunning)) && Interlocked.CompareExchange(ref _mostRunning, now, most) != most)
            {
            }

            Started.Enqueue(item);
            try
            {
                await (item < 0 ? Task.Delay(Timeout.Infinite, cancellationToken) : Gate(item).Task);
                return item * 10;
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        public async Task StartedAsync(int count)
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (Started.Count < count)
            {
                await Task.Delay(10, patience.Token);
            }
        }

        private TaskCompletionSource Gate(int item) => _gates.GetOrAdd(item, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    private Task<int> StartGates(Gates job) =>
        Task.Run(() => new WorkerHost(new JobAdapter<int, int>(job), _downClient, _upClient, null, _exited.SetResult).RunAsync());

    [Fact]
    public async Task With_MaxConcurrentItems_three_three_items_run_at_once_and_results_come_back_as_they_complete()
    {
        var job = new Gates();
        Task<int> worker = StartGates(job);
        Send(new StartMessage(WireProtocol.Version, 1, 1 << 20, MaxConcurrentItems: 3));
        (await ReceiveAsync()).Should().BeOfType<ReadyMessage>();

        for (int item = 1; item <= 4; item++)
        {
            Send(new ItemMessage(item, MessagePackSerializer.Serialize(item)));
        }

        Send(StopMessage.Instance);
        await job.StartedAsync(3);
        job.Started.Should().BeEquivalentTo([1, 2, 3], "items start in the order they arrived, three at a time");

        job.Open(3);
        ((ResultMessage)await ReceiveAsync()).Id.Should().Be(3, "a result goes out as soon as its item completes");
        await job.StartedAsync(4);
        job.Started.Last().Should().Be(4, "the fourth item starts in the slot the third one left");
        job.Open(2);
        ((ResultMessage)await ReceiveAsync()).Id.Should().Be(2);
        job.Open(4);
        var fourth = (ResultMessage)await ReceiveAsync();
        fourth.Id.Should().Be(4);
        MessagePackSerializer.Deserialize<int>(fourth.Payload).Should().Be(40, "each item keeps its own result");
        job.Open(1);
        ((ResultMessage)await ReceiveAsync()).Id.Should().Be(1);

        (await worker.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(WorkerExitCodes.Finished);
        job.MostRunning.Should().Be(3);
    }

    [Fact]
    public async Task With_MaxConcurrentItems_each_item_has_its_own_deadline()
    {
        var job = new Gates();
        Task<int> worker = StartGates(job);
        Send(new StartMessage(WireProtocol.Version, 1, 1 << 20, ItemTimeoutTicks: TimeSpan.FromMilliseconds(200).Ticks, MaxConcurrentItems: 2));
        (await ReceiveAsync()).Should().BeOfType<ReadyMessage>();
        job.Open(2);

        Send(new ItemMessage(1, MessagePackSerializer.Serialize(-1)));
        Send(new ItemMessage(2, MessagePackSerializer.Serialize(2)));
        Send(StopMessage.Instance);

        ((ResultMessage)await ReceiveAsync()).Id.Should().Be(2, "the quick item is not held back by the hanging one");
        var timedOut = (FailureMessage)await ReceiveAsync();
        timedOut.Id.Should().Be(1);
        timedOut.Failure.Should().Be(FailureKind.TimedOut);
        (await worker.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(WorkerExitCodes.Finished);
    }

    [Fact]
    public async Task With_MaxConcurrentItems_a_worker_at_its_item_limit_finishes_what_it_runs_then_retires()
    {
        var job = new Gates();
        Task<int> worker = StartGates(job);
        Send(new StartMessage(WireProtocol.Version, 1, 1 << 20, MaxItems: 2, MaxConcurrentItems: 2));
        (await ReceiveAsync()).Should().BeOfType<ReadyMessage>();

        for (int item = 1; item <= 3; item++)
        {
            Send(new ItemMessage(item, MessagePackSerializer.Serialize(item)));
        }

        await job.StartedAsync(2);
        job.Open(1);
        job.Open(3);
        ((ResultMessage)await ReceiveAsync()).Id.Should().Be(1);
        job.Open(2);
        ((ResultMessage)await ReceiveAsync()).Id.Should().Be(2);
        (await ReceiveAsync()).Should().Be(new RetiringMessage(RecycleReason.ItemCount));
        (await worker.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(WorkerExitCodes.Finished);
        job.Started.Should().BeEquivalentTo([1, 2], "the third item is past the limit and never starts");
    }
}
