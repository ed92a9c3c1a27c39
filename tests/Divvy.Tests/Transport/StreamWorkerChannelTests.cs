using Divvy.Framing;
using Divvy.Jobs;
using Divvy.Protocol;
using Divvy.Transport;

namespace Divvy.Tests.Transport;

public sealed class StreamWorkerChannelTests
{
    private const int MaxFrame = 1 << 20;

    [Fact]
    public async Task Writes_posts_in_order_as_the_same_frames_a_frame_writer_makes_items_posted_together_in_one_frame()
    {
        DispatchedItem[] items = [new(1, null, [0xA1]), new(2, null, [0xA2, 0xA3])];
        var start = new StartMessage(WireProtocol.Version, 3, MaxFrame);
        using var sent = new MemoryStream();
        var channel = new StreamWorkerChannel(new MemoryStream(), sent, MaxFrame, 4096);

        channel.Post(start);
        channel.PostItems(items);
        channel.Post(StopMessage.Instance);
        await channel.DisposeAsync();

        using var expected = new MemoryStream();
        var writer = new FrameWriter(expected, MaxFrame);
        MessageCodec.Write(writer.BeginFrame(), start);
        writer.EndFrame();
        MessageCodec.WriteItems(writer.BeginFrame(), items, 0, items.Length);
        writer.EndFrame();

        MessageCodec.Write(writer.BeginFrame(), StopMessage.Instance);
        writer.EndFrame();
        writer.Flush();
        sent.ToArray().Should().Equal(expected.ToArray());
        channel.PreferredWindowBytes.Should().Be(4096);
    }

    [Fact]
    public async Task Items_posted_together_go_out_in_frames_of_about_32_KiB_so_no_frame_lands_on_the_large_object_heap()
    {
        // Seven items of 10 KB: three fit in a frame's budget, a fourth would pass it. One write
        // carries them all; the frames stay small because the reader keeps each one as an array.
        DispatchedItem[] items = [.. Enumerable.Range(1, 7).Select(i => new DispatchedItem(i, null, MessagePack.MessagePackSerializer.Serialize(new byte[9_990])))];
        using var sent = new MemoryStream();
        var channel = new StreamWorkerChannel(new MemoryStream(), sent, MaxFrame, 1 << 20);

        channel.PostItems(items);
        await channel.DisposeAsync();

        sent.Position = 0;
        var reader = new FrameReader(sent, MaxFrame);
        var perFrame = new List<int>();
        while (await reader.ReadAsync(CancellationToken.None) is { } frame)
        {
            frame.Length.Should().BeLessThan(85_000, "a kept frame below 85,000 bytes is an ordinary, short-lived array");
            perFrame.Add(((ItemsMessage)MessageCodec.Read(frame, ownPayloads: true)).Items.Count);
        }

        perFrame.Should().Equal(3, 3, 1);
    }

    [Fact]
    public async Task Reads_what_arrived_together_as_one_batch_then_null_at_the_end()
    {
        using var arrived = new MemoryStream();
        var writer = new FrameWriter(arrived, MaxFrame);
        Message[] messages = [PongMessage.Instance, new ResultMessage(7, 100, new byte[] { 0xA1, 0x41 }), new ResultMessage(8, 200, new byte[] { 0x03 })];
        foreach (Message message in messages)
        {
            MessageCodec.Write(writer.BeginFrame(), message);
            writer.EndFrame();
        }

        writer.Flush();
        arrived.Position = 0;
        await using var channel = new StreamWorkerChannel(arrived, new MemoryStream(), MaxFrame, 4096);

        IReadOnlyList<Message>? batch = await channel.ReadBatchAsync(CancellationToken.None);
        IReadOnlyList<Message>? end = await channel.ReadBatchAsync(CancellationToken.None);

        batch.Should().NotBeNull();
        batch!.Count.Should().Be(3);
        batch.Select(m => m.Kind).Should().Equal(messages.Select(m => m.Kind));
        batch.OfType<ResultMessage>().Select(r => (r.Id, r.Payload.ToArray().Length)).Should().Equal((7L, 2), (8L, 1));
        end.Should().BeNull();
    }
}
