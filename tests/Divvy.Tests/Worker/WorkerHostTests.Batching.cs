using Divvy.Jobs;
using Divvy.Protocol;
using Divvy.Tests.Support;
using Divvy.Worker;
using MessagePack;

namespace Divvy.Tests.Worker;

public sealed partial class WorkerHostTests
{
    // These specs look at how results share frames: none is sent for being held too long.
    private static readonly TimeSpan s_holdLong = TimeSpan.FromMinutes(5);

    private Task<int> StartHolding(IParallelizable<int, string> job) =>
        Task.Run(() => new WorkerHost(new JobAdapter<int, string>(job), _downClient, _upClient, masterProcessId: null, _exited.SetResult) { ResultHoldLimit = s_holdLong }.RunAsync());

    [Fact]
    public async Task A_result_held_for_the_items_behind_it_goes_out_while_the_next_item_still_runs()
    {
        // Item 2 blocks until the test lets it go: item 1's result, held because item 2 was queued
        // behind it, must reach the master meanwhile (the master would take item 1 as the one running).
        using var release = new ManualResetEventSlim();
        Task<int> worker = Start(new Blocking(release));
        Send(new StartMessage(WireProtocol.Version, 1, 1 << 20));
        (await ReceiveAsync()).Should().BeOfType<ReadyMessage>();

        Send(new ItemsMessage([new ItemMessage(1, MessagePackSerializer.Serialize(1)), new ItemMessage(2, MessagePackSerializer.Serialize(2))]));
        var first = (ResultsMessage)await ReceiveFrameAsync();
        first.Results.Select(r => r.Id).Should().Equal(1);

        release.Set();
        var second = (ResultsMessage)await ReceiveFrameAsync();
        second.Results.Select(r => r.Id).Should().Equal(2);
        Send(StopMessage.Instance);
        (await worker.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(WorkerExitCodes.Finished);
    }

    /// <summary>Item 2 waits for the test's signal; the others return at once.</summary>
    private sealed class Blocking(ManualResetEventSlim release) : IParallelizable<int, string>
    {
        public IEnumerable<int> Dispatch() => [];

        public string Perform(int item)
        {
            if (item == 2)
            {
                release.Wait();
            }

            return item.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    [Fact]
    public async Task Big_results_queued_behind_each_other_go_out_in_pieces_not_in_one_growing_buffer()
    {
        // 40 items of 64 KiB results arrive together: the worker has a deep queue and, before this,
        // held every result until the queue drained (2.6 MB grown, copied and dropped in one buffer).
        const int ResultSize = 64 * 1024;
        const int Items = 40;
        var up = new WriteRecordingStream(_upClient);
        Task<int> worker = Task.Run(() => new WorkerHost(new JobAdapter<int, string>(new Divider(ResultSize)), _downClient, up, masterProcessId: null, _exited.SetResult) { ResultHoldLimit = s_holdLong }.RunAsync());
        Send(new StartMessage(WireProtocol.Version, 1, 1 << 20));
        (await ReceiveAsync()).Should().BeOfType<ReadyMessage>();

        for (int i = 1; i <= Items; i++)
        {
            MessageCodec.Write(_toWorker.BeginFrame(), new ItemMessage(i, MessagePackSerializer.Serialize(i)));
            _toWorker.EndFrame();
        }

        MessageCodec.Write(_toWorker.BeginFrame(), StopMessage.Instance);
        _toWorker.EndFrame();
        _toWorker.Flush();

        for (int i = 1; i <= Items; i++)
        {
            var result = (ResultMessage)await ReceiveAsync();
            result.Id.Should().Be(i, "results keep their order");
            MessagePackSerializer.Deserialize<string>(result.Payload).Should().HaveLength(ResultSize);
        }

        (await worker.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(WorkerExitCodes.Finished);
        up.Writes.Max().Should().BeLessThan(512 * 1024, "results are sent about every 256 KiB, whatever the queue depth");
        up.Writes.Sum().Should().BeGreaterThan(Items * ResultSize, "every result was written");
    }

    [Fact]
    public async Task Results_of_tens_of_kilobytes_return_in_frames_of_about_32_KiB_each()
    {
        // Six results of 20,000 characters arrive in one hand-off: a frame closes once it passes
        // 32 KiB, so each carries two (the master keeps every frame as an array of its own, and
        // frames this size stay off the large object heap).
        Task<int> worker = StartHolding(new Divider(20_000));
        Send(new StartMessage(WireProtocol.Version, 1, 1 << 20));
        (await ReceiveAsync()).Should().BeOfType<ReadyMessage>();

        Send(new ItemsMessage([.. Enumerable.Range(1, 6).Select(i => new ItemMessage(i, MessagePackSerializer.Serialize(i)))]));
        var frames = new List<ResultsMessage>();
        while (frames.Sum(f => f.Results.Length) < 6)
        {
            frames.Add((ResultsMessage)await ReceiveFrameAsync());
        }

        Send(StopMessage.Instance);
        frames.Select(f => f.Results.Length).Should().Equal(2, 2, 2);
        frames.SelectMany(f => f.Results).Select(r => r.Id).Should().Equal(1, 2, 3, 4, 5, 6);
        (await worker.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(WorkerExitCodes.Finished);
    }

    [Fact]
    public async Task Items_that_arrive_in_one_frame_are_performed_in_order_and_their_results_return_in_one_frame()
    {
        Task<int> worker = StartHolding(new Divider());
        Send(new StartMessage(WireProtocol.Version, 1, 1 << 20));
        (await ReceiveAsync()).Should().BeOfType<ReadyMessage>();

        Send(new ItemsMessage([new ItemMessage(1, MessagePackSerializer.Serialize(1)), new ItemMessage(2, MessagePackSerializer.Serialize(2)), new ItemMessage(3, MessagePackSerializer.Serialize(4))]));
        var batch = (ResultsMessage)await ReceiveFrameAsync();
        Send(StopMessage.Instance);

        batch.Results.Select(r => r.Id).Should().Equal(1, 2, 3);
        batch.Results.Select(r => MessagePackSerializer.Deserialize<string>(r.Payload)).Should().Equal("100", "50", "25");
        (await worker.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(WorkerExitCodes.Finished);
    }

    [Fact]
    public async Task In_a_batch_a_result_over_the_frame_limit_fails_alone_and_one_that_does_not_fit_with_the_others_starts_the_next_frame()
    {
        // Frames of at most 1 KiB: results of 400 characters fit two to a frame; one of 2,000 fits in none.
        Task<int> worker = Task.Run(() => new WorkerHost(new JobAdapter<int, string>(new Sized()), _downClient, _upClient, masterProcessId: null, _exited.SetResult) { ResultHoldLimit = s_holdLong }.RunAsync());
        Send(new StartMessage(WireProtocol.Version, 1, 1024));
        (await ReceiveAsync()).Should().BeOfType<ReadyMessage>();

        Send(new ItemsMessage([.. new[] { 400, 400, 2000, 400, 10 }.Select((size, i) => new ItemMessage(i + 1, MessagePackSerializer.Serialize(size)))]));
        var heard = new List<Message>();
        for (int i = 0; i < 5; i++)
        {
            heard.Add(await ReceiveAsync());
        }

        Send(StopMessage.Instance);
        heard.Select(m => m switch { ResultMessage r => $"{r.Id}: {MessagePackSerializer.Deserialize<string>(r.Payload).Length}", FailureMessage f => $"{f.Id}: failed", _ => "?" })
            .Should().BeEquivalentTo(["1: 400", "2: 400", "3: failed", "4: 400", "5: 10"], "every item settles once, the oversized one alone as failed");
        ((FailureMessage)heard.Single(m => m is FailureMessage)).Failure.Should().Be(FailureKind.Permanent);
        (await worker.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(WorkerExitCodes.Finished);
    }

    [Fact]
    public async Task In_a_batch_a_result_that_cannot_be_serialized_fails_alone_and_the_others_arrive_intact()
    {
        Task<int> worker = Task.Run(() => new WorkerHost(new JobAdapter<int, object>(new Unserializable()), _downClient, _upClient, masterProcessId: null, _exited.SetResult) { ResultHoldLimit = s_holdLong }.RunAsync());
        Send(new StartMessage(WireProtocol.Version, 1, 1 << 20));
        (await ReceiveAsync()).Should().BeOfType<ReadyMessage>();

        Send(new ItemsMessage([.. Enumerable.Range(1, 3).Select(i => new ItemMessage(i, MessagePackSerializer.Serialize(i)))]));
        var heard = new List<Message>();
        for (int i = 0; i < 3; i++)
        {
            heard.Add(await ReceiveAsync());
        }

        Send(StopMessage.Instance);
        heard.OfType<ResultMessage>().Select(r => (r.Id, MessagePackSerializer.Deserialize<int>(r.Payload))).Should().BeEquivalentTo([(1L, 10), (3L, 30)]);
        heard.OfType<FailureMessage>().Single().Id.Should().Be(2);
        (await worker.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(WorkerExitCodes.Finished);
    }

    /// <summary>Returns a string of as many characters as the item says.</summary>
    private sealed class Sized : IParallelizable<int, string>
    {
        public IEnumerable<int> Dispatch() => [];

        public string Perform(int item) => new('x', item);
    }

    /// <summary>Returns item x 10, except for item 2, whose result has no MessagePack formatter.</summary>
    private sealed class Unserializable : IParallelizable<int, object>
    {
        public IEnumerable<int> Dispatch() => [];

        public object Perform(int item) => item == 2 ? new Unserializable() : item * 10;
    }
}
