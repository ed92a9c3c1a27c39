using System.Buffers.Binary;
using Divvy.Framing;
using Divvy.Jobs;
using Divvy.Protocol;
using Divvy.Transport;

namespace Divvy.Tests.Transport;

/// <summary>
/// What every <see cref="IWorkerChannel"/> must do, whatever carries its bytes. A transport gets a
/// subclass that makes a connected pair: the master's channel, and the two streams the worker's
/// side reads and writes (the worker's side speaks frames, as a real worker does).
/// </summary>
public abstract class WorkerChannelContractTests
{
    protected const int MaxFrame = 64 * 1024;
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(30);

    /// <summary>A connected pair: the master's channel and the worker's ends, all disposed together.</summary>
    internal sealed record Pair(IWorkerChannel Master, Stream FromMaster, Stream ToMaster, IAsyncDisposable? Owner = null) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Master.DisposeAsync();
            await FromMaster.DisposeAsync();
            await ToMaster.DisposeAsync();
            if (Owner is not null)
            {
                await Owner.DisposeAsync();
            }
        }
    }

    /// <summary>Makes a connected channel whose frames may be up to <paramref name="maxFrameSize"/> bytes.</summary>
    internal abstract Task<Pair> CreatePairAsync(int maxFrameSize);

    private static async Task WorkerSaysAsync(Pair pair, params Message[] messages)
    {
        var writer = new FrameWriter(pair.ToMaster, MaxFrame);
        foreach (Message message in messages)
        {
            MessageCodec.Write(writer.BeginFrame(), message);
            writer.EndFrame();
        }

        await writer.FlushAsync(CancellationToken.None);
    }

    private static async Task<List<Message>> WorkerHearsAsync(Pair pair, int count)
    {
        var reader = new FrameReader(pair.FromMaster, MaxFrame);
        var heard = new List<Message>();
        while (heard.Count < count && await reader.ReadAsync(CancellationToken.None).AsTask().WaitAsync(s_patience) is { } frame)
        {
            heard.Add(MessageCodec.Read(frame, ownPayloads: true));
        }

        return heard;
    }

    private static async Task<List<Message>> MasterReadsAsync(Pair pair, int count)
    {
        var read = new List<Message>();
        while (read.Count < count && await pair.Master.ReadBatchAsync(CancellationToken.None).AsTask().WaitAsync(s_patience) is { } batch)
        {
            batch.Should().NotBeEmpty("a batch holds at least one message");
            read.AddRange(batch);
        }

        return read;
    }

    [Fact]
    public async Task What_the_master_posts_reaches_the_worker_in_order_items_posted_together_in_one_frame()
    {
        await using Pair pair = await CreatePairAsync(MaxFrame);
        var start = new StartMessage(WireProtocol.Version, 1, MaxFrame);

        pair.Master.Post(start);
        pair.Master.PostItems([new DispatchedItem(1, null, [0x01]), new DispatchedItem(2, null, [0xA1, 0x41])]);
        pair.Master.Post(StopMessage.Instance);

        List<Message> heard = await WorkerHearsAsync(pair, 3);
        heard.Select(m => m.Kind).Should().Equal(MessageKind.Start, MessageKind.Items, MessageKind.Stop);
        heard.OfType<ItemsMessage>().Single().Items.Select(i => (i.Id, i.Payload.ToArray().Length)).Should().Equal((1L, 1), (2L, 2));
    }

    [Fact]
    public async Task What_the_worker_writes_is_read_in_order_in_batches_and_payloads_stay_the_callers()
    {
        await using Pair pair = await CreatePairAsync(MaxFrame);
        Message[] said = [new ReadyMessage(WireProtocol.Version, 42), new ResultMessage(7, 100, new byte[] { 0xA1, 0x41 }), new ResultMessage(8, 200, new byte[] { 0x03 }), PongMessage.Instance];

        await WorkerSaysAsync(pair, said);
        List<Message> read = await MasterReadsAsync(pair, said.Length);
        await WorkerSaysAsync(pair, new ResultMessage(9, 1, new byte[] { 0xA1, 0x42 }));
        await MasterReadsAsync(pair, 1);

        read.Select(m => m.Kind).Should().Equal(said.Select(m => m.Kind));
        read.OfType<ResultMessage>().Select(r => r.Payload.ToArray()).Should().BeEquivalentTo(new[] { new byte[] { 0xA1, 0x41 }, new byte[] { 0x03 } }, o => o.WithStrictOrdering(), "payloads read earlier survive later reads");
    }

    [Fact]
    public async Task The_end_of_the_workers_stream_reads_as_null_and_stays_that_way()
    {
        await using Pair pair = await CreatePairAsync(MaxFrame);
        await WorkerSaysAsync(pair, PongMessage.Instance);

        await pair.ToMaster.DisposeAsync();

        (await MasterReadsAsync(pair, 1)).Should().ContainSingle();
        (await pair.Master.ReadBatchAsync(CancellationToken.None).AsTask().WaitAsync(s_patience)).Should().BeNull();
        (await pair.Master.ReadBatchAsync(CancellationToken.None).AsTask().WaitAsync(s_patience)).Should().BeNull();
    }

    [Fact]
    public async Task Disposing_sends_what_was_posted_and_posting_afterwards_is_ignored()
    {
        await using Pair pair = await CreatePairAsync(MaxFrame);

        pair.Master.Post(StopMessage.Instance);
        await pair.Master.DisposeAsync();
        pair.Master.Post(PingMessage.Instance);
        pair.Master.PostItems([new DispatchedItem(1, null, [0x01])]);

        (await WorkerHearsAsync(pair, 1)).Should().ContainSingle().Which.Should().BeOfType<StopMessage>();
    }

    [Fact]
    public async Task A_frame_that_is_not_a_message_reads_as_a_ProtocolException()
    {
        await using Pair pair = await CreatePairAsync(MaxFrame);
        byte[] garbage = [0, 0, 0, 3, 0xC1, 0xC1, 0xC1];

        await pair.ToMaster.WriteAsync(garbage);
        await pair.ToMaster.FlushAsync();

        await pair.Master.Invoking(m => m.ReadBatchAsync(CancellationToken.None).AsTask().WaitAsync(s_patience)).Should().ThrowAsync<ProtocolException>();
    }

    [Fact]
    public async Task A_frame_longer_than_the_maximum_reads_as_a_FrameTooLargeException_before_it_is_read()
    {
        await using Pair pair = await CreatePairAsync(MaxFrame);
        byte[] header = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(header, MaxFrame + 1);

        await pair.ToMaster.WriteAsync(header);
        await pair.ToMaster.FlushAsync();

        await pair.Master.Invoking(m => m.ReadBatchAsync(CancellationToken.None).AsTask().WaitAsync(s_patience)).Should().ThrowAsync<FrameTooLargeException>();
    }

    [Fact]
    public async Task It_says_how_many_payload_bytes_are_worth_keeping_in_flight()
    {
        await using Pair pair = await CreatePairAsync(MaxFrame);

        pair.Master.PreferredWindowBytes.Should().BePositive();
    }
}
