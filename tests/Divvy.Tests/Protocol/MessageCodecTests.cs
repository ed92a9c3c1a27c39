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
        StopMessage.Instance,
        new FailureMessage(9, 1234, FailureKind.Permanent, new RemoteError("System.Exception", "boom", "at X.Y()")),
        new FailureMessage(10, 1, FailureKind.TimedOut, new RemoteError("System.OperationCanceledException", "late", "")),
        new FatalMessage("AfterSpawn", new RemoteError("System.IO.IOException", "disk", "")),
        PingMessage.Instance,
        PongMessage.Instance,
        new RetiringMessage(RecycleReason.Memory),
        new StartMessage(WireProtocol.Version, 3, 1 << 20, HeartbeatIntervalTicks: 50_000_000, HeartbeatTimeoutTicks: 300_000_000),
        new StartMessage(WireProtocol.Version, 3, 1 << 20, MaxConcurrentItems: 8),
        new GoodbyeMessage(72),
    ];

    public static TheoryData<int> MessageIndexes => new() { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };

    [Theory]
    [MemberData(nameof(MessageIndexes))]
    public void Every_message_round_trips(int index)
    {
        Message message = s_messages[index];

        Message decoded = MessageCodec.Read(Encode(message));

        decoded.Should().BeEquivalentTo(message, o => o.RespectingRuntimeTypes());
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
        { "wrong field count", MessagePackSerializer.Serialize(new object[] { 2, 1 }), "malformed Ready message: 2 fields, expected 3" },
        { "wrong field type", MessagePackSerializer.Serialize(new object[] { 2, "one", 5 }), "malformed Ready message*" },
        { "unknown failure kind", MessagePackSerializer.Serialize(new object[] { 5, 1L, 2L, 9, "T", "M", "S" }), "malformed Failure message: 9 is not a FailureKind" },
        { "unknown recycle reason", MessagePackSerializer.Serialize(new object[] { 10, 0 }), "malformed Retiring message: 0 is not a RecycleReason" },
        { "bytes after the message", [.. MessagePackSerializer.Serialize(new[] { 6 }), 0xC0], "malformed Stop message: 1 bytes after its end" },
        { "cut short", MessagePackSerializer.Serialize(new object[] { 5, 1L, 2L, 1, "T", "M", "S" })[..8], "malformed Failure message*" },
    };

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
