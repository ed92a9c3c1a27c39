using System.Buffers;
using Divvy.Protocol;
using MessagePack;

namespace Divvy.Tests.Protocol;

/// <summary>The protocol's own MessagePack writer writes what MessagePack-CSharp writes, byte for byte.</summary>
public sealed class WireWriterTests
{
    private static byte[] Wire(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Library(MessagePackWriterAction write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private delegate void MessagePackWriterAction(ref MessagePackWriter writer);

    public static TheoryData<long> Integers =>
    [
        0, 1, 127, 128, 255, 256, 65_535, 65_536, uint.MaxValue, (long)uint.MaxValue + 1, long.MaxValue,
        -1, -32, -33, -128, -129, short.MinValue, short.MinValue - 1, int.MinValue, (long)int.MinValue - 1, long.MinValue,
    ];

    [Theory]
    [MemberData(nameof(Integers))]
    public void Integers_take_the_same_compact_form_as_MessagePacks_own(long value)
    {
        Wire(o => WireWriter.Integer(o, value)).Should().Equal(Library((ref MessagePackWriter w) => w.Write(value)));
        if (value is >= int.MinValue and <= int.MaxValue)
        {
            Wire(o => WireWriter.Integer(o, value)).Should().Equal(Library((ref MessagePackWriter w) => w.Write((int)value)));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    public void Array_headers_match(int count) =>
        Wire(o => WireWriter.ArrayHeader(o, count)).Should().Equal(Library((ref MessagePackWriter w) => w.WriteArrayHeader(count)));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("worker 3, pid 4711")]
    [InlineData("é ü ✓ and a few more characters to pass 31 bytes")]
    public void Strings_match(string? value) =>
        Wire(o => WireWriter.String(o, value)).Should().Equal(Library((ref MessagePackWriter w) => w.Write(value)));

    [Theory]
    [InlineData(300)]
    [InlineData(70_000)]
    public void Long_strings_match(int length)
    {
        string value = new('x', length);
        Wire(o => WireWriter.String(o, value)).Should().Equal(Library((ref MessagePackWriter w) => w.Write(value)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(70_000)]
    public void Bins_match(int length)
    {
        byte[] bytes = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        Wire(o => WireWriter.Bytes(o, bytes)).Should().Equal(Library((ref MessagePackWriter w) => w.Write(bytes)));
    }

    [Fact]
    public void Nil_and_raw_values_match()
    {
        byte[] payload = MessagePackSerializer.Serialize(new object[] { 1, "two", 3.5 });
        Wire(o =>
        {
            WireWriter.Nil(o);
            WireWriter.Raw(o, payload);
        }).Should().Equal(Library((ref MessagePackWriter w) =>
        {
            w.WriteNil();
            w.WriteRaw(payload);
        }));
    }
}
