using System.Buffers;
using Divvy.Framing;
using Divvy.Jobs;
using Divvy.Protocol;
using MessagePack;

namespace Divvy.Tests.Protocol;

public sealed class FrameDecodingTests
{
    private static byte[] Bytes(int length, byte seed) => [.. Enumerable.Range(0, length).Select(i => (byte)(i * 7 + seed))];

    private static FrameReader Reader(Action<FrameWriter> write)
    {
        var stream = new MemoryStream();
        var writer = new FrameWriter(stream, 1 << 20);
        write(writer);
        writer.Flush();
        stream.Position = 0;
        return new FrameReader(stream, 1 << 20, bufferSize: 256, rentsLargeFrames: true);
    }

    private static void WriteItems(FrameWriter writer, params DispatchedItem[] items)
    {
        MessageCodec.WriteItems(writer.BeginFrame(), items, 0, items.Length);
        writer.EndFrame();
    }

    private static void WriteResults(FrameWriter writer, params (long Id, byte[] Value)[] results)
    {
        var batch = new ResultBatchWriter(writer, 1 << 20);
        foreach ((long id, byte[] value) in results)
        {
            var payload = new MessagePackWriter(batch.BeginResult(id, 1));
            payload.Write(value);
            payload.Flush();
            batch.EndResult();
        }

        batch.Close();
    }

    private static Message Next(FrameReader reader) => FrameDecoding.Decode(reader, reader.Read()!.Value);

    [Fact]
    public void Items_from_one_frame_hold_its_pooled_copy_until_the_last_of_them_is_done_with_it()
    {
        FrameReader reader = Reader(writer =>
        {
            WriteItems(writer, new DispatchedItem(1, null, MessagePackSerializer.Serialize(Bytes(40, 1))), new DispatchedItem(2, null, MessagePackSerializer.Serialize(Bytes(40, 2))));
            WriteItems(writer, new DispatchedItem(3, null, MessagePackSerializer.Serialize(Bytes(40, 3))));
        });

        var first = (ItemsMessage)Next(reader);
        var second = (ItemsMessage)Next(reader);

        FrameLease lease = first.Items[0].Lease!;
        first.Items[1].Lease.Should().BeSameAs(lease, "both items point into the same copy of their frame");
        second.Items[0].Lease.Should().NotBeSameAs(lease);
        first.Items.Select(i => MessagePackSerializer.Deserialize<byte[]>(i.Payload)).Should().BeEquivalentTo([Bytes(40, 1), Bytes(40, 2)], o => o.WithStrictOrdering(), "the copy outlives the reader's buffer");
        lease.Release();
        lease.IsHeld.Should().BeTrue("the second item still reads from it");
        lease.Release();
        lease.IsHeld.Should().BeFalse();
    }

    [Fact]
    public void Results_in_a_frame_bigger_than_the_buffer_keep_the_readers_rented_array_until_released()
    {
        FrameReader reader = Reader(writer =>
        {
            WriteResults(writer, (7, Bytes(1000, 7)), (8, Bytes(10, 8)));
            WriteResults(writer, (9, Bytes(1000, 9)));
        });

        var first = (ResultsMessage)Next(reader);
        var second = (ResultsMessage)Next(reader);

        first.Results.Select(r => (r.Id, MessagePackSerializer.Deserialize<byte[]>(r.Payload)))
            .Should().BeEquivalentTo([(7L, Bytes(1000, 7)), (8L, Bytes(10, 8))], o => o.WithStrictOrdering());
        MessagePackSerializer.Deserialize<byte[]>(second.Results[0].Payload).Should().Equal(Bytes(1000, 9));
        first.Lease!.IsHeld.Should().BeTrue();
        first.Lease.Release();
        first.Lease.IsHeld.Should().BeFalse();
    }

    [Fact]
    public void Other_messages_in_rented_frames_get_bytes_of_their_own()
    {
        FrameReader reader = Reader(writer =>
        {
            MessageCodec.WriteOutput(writer.BeginFrame(), StandardStream.Output, Bytes(1000, 1));
            writer.EndFrame();
            MessageCodec.WriteOutput(writer.BeginFrame(), StandardStream.Error, Bytes(1000, 2));
            writer.EndFrame();
        });

        var first = (OutputMessage)Next(reader);
        var second = (OutputMessage)Next(reader);

        first.Bytes.ToArray().Should().Equal(Bytes(1000, 1), "the frame it came in went back to the pool");
        second.Bytes.ToArray().Should().Equal(Bytes(1000, 2));
    }
}
