using System.Buffers;
using Divvy.Framing;
using Divvy.Jobs;
using Divvy.Protocol;
using Divvy.Tracing;
using MessagePack;

namespace Divvy.Tests.Protocol;

/// <summary>Items with their trace context (<see cref="MessageKind.TracedItems"/>), and items without it, unchanged.</summary>
public sealed class TracedItemsTests
{
    private const string Parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public void Items_nobody_traces_go_out_byte_for_byte_as_protocol_7_wrote_them()
    {
        DispatchedItem[] items = [new(1, null, MessagePackSerializer.Serialize("a")), new(2, null, MessagePackSerializer.Serialize(7))];
        var buffer = new ArrayBufferWriter<byte>();

        MessageCodec.WriteItems(buffer, items, 0, 2);

        // [Items (12), count 2, id 1, "a", id 2, 7]: an array of 6.
        buffer.WrittenSpan.ToArray().Should().Equal(0x96, 0x0c, 0x02, 0x01, 0xa1, (byte)'a', 0x02, 0x07);
    }

    [Fact]
    public void A_traced_item_carries_its_traceparent_and_tracestate_and_an_untraced_one_in_the_same_frame_carries_none()
    {
        DispatchedItem[] items = [new(1, null, MessagePackSerializer.Serialize("a")), new(2, null, MessagePackSerializer.Serialize(7))];
        items[0].Trace = new ItemTrace(new NoSpan(), Parent, "congo=t61rcWkgMzE");
        var buffer = new ArrayBufferWriter<byte>();

        MessageCodec.WriteItems(buffer, items, 0, 2);

        var decoded = (ItemsMessage)MessageCodec.Read(buffer.WrittenMemory);
        decoded.Items.Select(i => (i.Id, i.TraceParent, i.TraceState)).Should().Equal((1L, Parent, "congo=t61rcWkgMzE"), (2L, null, null));
        MessagePackSerializer.Deserialize<string>(decoded.Items[0].Payload).Should().Be("a");
        MessagePackSerializer.Deserialize<int>(decoded.Items[1].Payload).Should().Be(7);
        MessageCodec.IsBatch(buffer.WrittenMemory).Should().BeTrue();
        var again = new ArrayBufferWriter<byte>();
        MessageCodec.Write(again, decoded);
        again.WrittenSpan.ToArray().Should().Equal(buffer.WrittenSpan.ToArray(), "Write and WriteItems make the same frame");
        MessageCodec.EntrySize(items[0]).Should().BeGreaterThanOrEqualTo(MessageCodec.EntrySize(items[1]) + Parent.Length, "a frame's budget counts the context");
    }

    [Fact]
    public void A_traced_frame_read_from_a_pooled_array_holds_it_until_each_item_is_released()
    {
        DispatchedItem[] items = [new(5, null, MessagePackSerializer.Serialize(5))];
        items[0].Trace = new ItemTrace(new NoSpan(), Parent, null);
        var buffer = new ArrayBufferWriter<byte>();
        MessageCodec.WriteItems(buffer, items, 0, 1);
        byte[] array = buffer.WrittenSpan.ToArray();
        var lease = new FrameLease(array);

        var decoded = (ItemsMessage)MessageCodec.ReadLeased(array, lease);

        decoded.Items.Should().ContainSingle().Which.Should().Match<ItemMessage>(i => i.Id == 5 && i.TraceParent == Parent && i.TraceState == null && i.Lease == lease);
    }

    [Theory]
    [InlineData(new byte[] { 0x95, 0x0f, 0x01, 0x01, 0xc0, 0xc0 }, "fields for 1 entries")]
    [InlineData(new byte[] { 0x96, 0x0f, 0x01, 0x01, 0x07, 0xc0, 0x07 }, "")]
    public void A_malformed_traced_frame_is_refused(byte[] frame, string message)
    {
        Action read = () => MessageCodec.Read(frame);

        read.Should().Throw<ProtocolException>().WithMessage($"*TracedItems*{message}*");
    }

    private sealed class NoSpan : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
