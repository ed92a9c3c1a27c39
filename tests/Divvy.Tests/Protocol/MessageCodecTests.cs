using System.Buffers;
using Divvy.Framing;
using Divvy.Jobs;
using Divvy.Protocol;
using MessagePack;

namespace Divvy.Tests.Protocol;

public sealed class MessageCodecTests
{
    private static byte[] Encode(Message message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        MessageCodec.Write(buffer, message);
        return buffer.WrittenSpan.ToArray();
    }

    private static readonly Message[] s_messages =
    [
        new StartMessage(WireProtocol.Version, 3, 1 << 20),
        new StartMessage(WireProtocol.Version, 3, 1 << 20, ItemTimeoutTicks: 5_000_000, MaxItems: 110, MaxMemoryBytes: 1L << 32, MaxAgeTicks: 36_000_000_000),
        new ReadyMessage(WireProtocol.Version, 4711),
        new ReadyMessage(WireProtocol.Version, 4711, "node7", "426_3"),
        StopMessage.Instance,
        new FailureMessage(9, 1234, FailureKind.Permanent, new RemoteError("System.Exception", "boom", "at X.Y()")),
        new FailureMessage(10, 1, FailureKind.TimedOut, new RemoteError("System.OperationCanceledException", "late", "")),
        new FailureMessage(11, 5, FailureKind.Retry, new RemoteError("Divvy.AttemptFailedException", "exit code 3", ""), MessagePackSerializer.Serialize(new[] { "partial", "output" })),
        new FatalMessage("AfterSpawn", new RemoteError("System.IO.IOException", "disk", "")),
        PingMessage.Instance,
        PongMessage.Instance,
        new RetiringMessage(RecycleReason.Memory),
        new StartMessage(WireProtocol.Version, 3, 1 << 20, HeartbeatIntervalTicks: 50_000_000, HeartbeatTimeoutTicks: 300_000_000),
        new StartMessage(WireProtocol.Version, 3, 1 << 20, MaxConcurrentItems: 8),
        new GoodbyeMessage(72),
    ];

    public static TheoryData<int> MessageIndexes => [.. Enumerable.Range(0, s_messages.Length)];

    [Theory]
    [MemberData(nameof(MessageIndexes))]
    public void Every_message_round_trips(int index)
    {
        Message message = s_messages[index];

        Message decoded = MessageCodec.Read(Encode(message));

        decoded.Should().BeEquivalentTo(message, o => o.RespectingRuntimeTypes());
    }

    [Fact]
    public void A_Ready_from_a_protocol_5_worker_still_reads_so_the_master_can_refuse_it_by_its_version()
    {
        byte[] old = MessagePackSerializer.Serialize(new object[] { (int)MessageKind.Ready, 5, 4711 });

        Message decoded = MessageCodec.Read(old);

        decoded.Should().Be(new ReadyMessage(5, 4711));
    }

    [Fact]
    public void Item_and_result_payloads_are_embedded_as_the_values_they_are()
    {
        byte[] item = MessagePackSerializer.Serialize(new[] { "a", "b" });
        var decoded = (ItemMessage)MessageCodec.Read(Encode(new ItemMessage(42, item)));
        decoded.Id.Should().Be(42);
        MessagePackSerializer.Deserialize<string[]>(decoded.Payload).Should().Equal("a", "b");

        var frames = new MemoryStream();
        var writer = new FrameWriter(frames, 1 << 20);
        MessageCodec.WriteResult(writer, 7, 99, 3.5, Serialization.Serialize);
        writer.Flush();
        var result = (ResultMessage)MessageCodec.Read(frames.ToArray().AsMemory(4));
        (result.Id, result.ElapsedTicks).Should().Be((7L, 99L));
        MessagePackSerializer.Deserialize<double>(result.Payload).Should().Be(3.5);
    }

    [Fact]
    public void Items_travel_several_to_a_frame_each_with_its_own_id_and_value()
    {
        DispatchedItem[] items = [new(1, null, MessagePackSerializer.Serialize("a")), new(2, null, MessagePackSerializer.Serialize(new[] { 1, 2 })), new(3, null, MessagePackSerializer.Serialize(3.5))];
        var buffer = new ArrayBufferWriter<byte>();

        MessageCodec.WriteItems(buffer, items, 1, 2);

        var decoded = (ItemsMessage)MessageCodec.Read(buffer.WrittenMemory);
        decoded.Items.Select(i => i.Id).Should().Equal(2, 3);
        MessagePackSerializer.Deserialize<int[]>(decoded.Items[0].Payload).Should().Equal(1, 2);
        MessagePackSerializer.Deserialize<double>(decoded.Items[1].Payload).Should().Be(3.5);
        Encode(decoded).Should().Equal(buffer.WrittenSpan.ToArray(), "Write and WriteItems make the same frame");
    }

    [Fact]
    public void Results_written_into_one_batch_come_back_in_order_with_payloads_that_outlive_the_readers_buffer()
    {
        var frames = new MemoryStream();
        var writer = new FrameWriter(frames, 1 << 20);
        var batch = new ResultBatchWriter(writer, 1 << 20);
        foreach ((long id, string value) in new[] { (7L, "seven"), (8L, "eight"), (9L, "nine") })
        {
            var payload = new MessagePackWriter(batch.BeginResult(id, id * 100));
            payload.Write(value);
            payload.Flush();
            batch.EndResult();
        }

        batch.Close();
        writer.Flush();
        byte[] frame = frames.ToArray()[4..];
        var decoded = (ResultsMessage)MessageCodec.Read(frame, ownPayloads: true);
        Array.Clear(frame);

        decoded.Results.Select(r => (r.Id, r.ElapsedTicks, MessagePackSerializer.Deserialize<string>(r.Payload)))
            .Should().Equal((7L, 700L, "seven"), (8L, 800L, "eight"), (9L, 900L, "nine"));
    }

    [Fact]
    public void A_result_that_cannot_be_serialized_leaves_no_half_frame_behind()
    {
        var frames = new MemoryStream();
        var writer = new FrameWriter(frames, 1 << 20);

        writer.Invoking(w => MessageCodec.WriteResult(w, 1, 0, new NotSerializable(), Serialization.Serialize)).Should().Throw<MessagePackSerializationException>();

        writer.Pending.Should().Be(0);
    }

    public static TheoryData<string, byte[], string> Malformed => new()
    {
        { "empty frame", [], "malformed*" },
        { "not an array", MessagePackSerializer.Serialize(5), "malformed*" },
        { "empty array", MessagePackSerializer.Serialize(Array.Empty<int>()), "malformed message: empty array" },
        { "unknown kind", MessagePackSerializer.Serialize(new[] { 99 }), "malformed message: unknown message kind 99" },
        { "wrong field count", MessagePackSerializer.Serialize(new object[] { 2, 1 }), "malformed Ready message: 2 fields, expected 5" },
        { "wrong field type", MessagePackSerializer.Serialize(new object[] { 2, "one", 5 }), "malformed Ready message*" },
        { "unknown failure kind", MessagePackSerializer.Serialize(new object?[] { 5, 1L, 2L, 9, "T", "M", "S", null }), "malformed Failure message: 9 is not a FailureKind" },
        { "a protocol 6 failure, without its result", MessagePackSerializer.Serialize(new object[] { 5, 1L, 2L, 1, "T", "M", "S" }), "malformed Failure message: 7 fields, expected 8" },
        { "unknown recycle reason", MessagePackSerializer.Serialize(new object[] { 10, 0 }), "malformed Retiring message: 0 is not a RecycleReason" },
        { "bytes after the message", [.. MessagePackSerializer.Serialize(new[] { 6 }), 0xC0], "malformed Stop message: 1 bytes after its end" },
        { "cut short", MessagePackSerializer.Serialize(new object[] { 5, 1L, 2L, 1, "T", "M", "S" })[..8], "malformed Failure message*" },
        { "batch count and fields disagree", MessagePackSerializer.Serialize(new object[] { 13, 2, 1L, 1L }), "malformed Results message: 4 fields for 2 entries" },
        { "batch count the frame cannot hold", [0xdc, 0x07, 0xd2, 0x0c, 0xcd, 0x03, 0xe8], "malformed*" },
        { "negative batch count", MessagePackSerializer.Serialize(new object[] { 12, -1 }), "malformed Items message: 2 fields for -1 entries" },
        { "batch entry of the wrong type", MessagePackSerializer.Serialize(new object[] { 12, 1, "one", 5 }), "malformed Items message*" },
        { "output to no such stream", MessagePackSerializer.Serialize(new object[] { 14, 3, new byte[] { 65 } }), "malformed Output message: 3 is not a StandardStream" },
        { "output without its bytes", MessagePackSerializer.Serialize(new object[] { 14, 1 }), "malformed Output message: 2 fields, expected 3" },
        { "output with nil for bytes", MessagePackSerializer.Serialize(new object?[] { 14, 2, null }), "malformed Output message: nil where bytes belong" },
        { "output with a number for bytes", MessagePackSerializer.Serialize(new object[] { 14, 1, 5 }), "malformed Output message*" },
        { "output cut short", MessagePackSerializer.Serialize(new object[] { 14, 1, new byte[100] })[..50], "malformed Output message*" },
    };

    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 5)]
    [InlineData(2, 300)]
    [InlineData(2, 70_000)]
    public void Output_round_trips_with_its_stream_and_bytes_and_within_its_stated_overhead(int fd, int length)
    {
        var stream = (StandardStream)fd;
        byte[] bytes = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        var direct = new ArrayBufferWriter<byte>();

        MessageCodec.WriteOutput(direct, stream, bytes);
        byte[] frame = direct.WrittenSpan.ToArray();
        var decoded = (OutputMessage)MessageCodec.Read(frame, ownPayloads: true);
        Array.Clear(frame);

        decoded.Stream.Should().Be(stream);
        decoded.Bytes.ToArray().Should().Equal(bytes, "the bytes are a copy that outlives the reader's buffer");
        direct.WrittenCount.Should().BeLessThanOrEqualTo(length + MessageCodec.OutputOverhead);
        Encode(new OutputMessage(stream, bytes)).Should().Equal(direct.WrittenSpan.ToArray(), "Write and WriteOutput make the same frame");
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_frames_are_protocol_errors_with_a_reason(string what, byte[] frame, string message)
    {
        Action read = () => MessageCodec.Read(frame);

        read.Should().Throw<ProtocolException>(what).WithMessage(message);
    }

    private sealed class NotSerializable
    {
        public int Value { get; set; }
    }
}
