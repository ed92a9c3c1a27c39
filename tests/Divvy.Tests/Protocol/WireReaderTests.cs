using System.Buffers;
using Divvy.Protocol;
using MessagePack;

namespace Divvy.Tests.Protocol;

/// <summary>The protocol's own MessagePack reader: it reads what MessagePack-CSharp writes, and steps over any value.</summary>
public sealed class WireReaderTests
{
    [Theory]
    [MemberData(nameof(WireWriterTests.Integers), MemberType = typeof(WireWriterTests))]
    public void Reads_integers_of_every_width(long value)
    {
        byte[] bytes = MessagePackSerializer.Serialize(value);

        var reader = new WireReader(bytes);

        reader.ReadInt64().Should().Be(value);
        reader.End.Should().BeTrue();
    }

    [Theory]
    [InlineData(0xcc, 0x05)]
    [InlineData(0xcd, 0x00, 0x05)]
    [InlineData(0xce, 0x00, 0x00, 0x00, 0x05)]
    [InlineData(0xd0, 0x05)]
    [InlineData(0xd3, 0, 0, 0, 0, 0, 0, 0, 0x05)]
    public void Reads_an_int_written_wider_than_it_needs(params int[] encoded)
    {
        byte[] bytes = encoded.Select(b => (byte)b).ToArray();

        new WireReader(bytes).ReadInt32().Should().Be(5);
    }

    [Fact]
    public void An_integer_too_big_for_an_int_is_refused()
    {
        byte[] bytes = MessagePackSerializer.Serialize((long)int.MaxValue + 1);

        Action read = () => new WireReader(bytes).ReadInt32();

        read.Should().Throw<WireFormatException>().WithMessage("2147483648 does not fit an int");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("é ü ✓")]
    public void Reads_strings_and_nil(string? value)
    {
        byte[] bytes = MessagePackSerializer.Serialize(value);

        new WireReader(bytes).ReadString().Should().Be(value);
    }

    [Fact]
    public void Reads_a_bin_as_where_its_bytes_lie()
    {
        byte[] bytes = MessagePackSerializer.Serialize(new byte[] { 1, 2, 3 });

        Range? range = new WireReader(bytes).ReadBytes();

        bytes[range!.Value].Should().Equal(1, 2, 3);
    }

    public static TheoryData<string, byte[]> Values => new()
    {
        { "a map of arrays", MessagePackSerializer.Serialize(new Dictionary<string, int[]> { ["a"] = [1, 2, 300_000], ["b"] = [] }) },
        { "floats and booleans", MessagePackSerializer.Serialize(new object[] { 1.5f, 2.25, true, false, null! }) },
        { "a long string and a big bin", MessagePackSerializer.Serialize(new object[] { new string('x', 70_000), new byte[300] }) },
        { "a timestamp (an extension)", MessagePackSerializer.Serialize(new DateTime(2026, 11, 30, 0, 0, 0, DateTimeKind.Utc)) },
        { "ext8", [0xc7, 0x02, 0x05, 0xaa, 0xbb] },
        { "fixext16", [0xd8, 0x01, .. new byte[16]] },
        { "a map16", MessagePackSerializer.Serialize(Enumerable.Range(0, 20).ToDictionary(i => i, i => (long)i << 40)) },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void Steps_over_any_value_whole_as_MessagePack_does(string what, byte[] value)
    {
        byte[] bytes = [.. value, 0x07];
        var library = new MessagePackReader(bytes);
        int expected = (int)library.ReadRaw().Length;

        var reader = new WireReader(bytes);
        Range raw = reader.ReadRaw();

        raw.Should().Be(0..expected, what);
        reader.ReadInt32().Should().Be(7, "the next value follows");
    }

    [Fact]
    public void A_value_nested_a_million_deep_is_stepped_over_without_recursion()
    {
        byte[] bytes = [.. Enumerable.Repeat((byte)0x91, 1_000_000), 0x01];

        var reader = new WireReader(bytes);

        reader.ReadRaw().Should().Be(0..bytes.Length);
    }

    public static TheoryData<string, string, byte[], string> Broken => new()
    {
        { "nothing there", "integer", [], "1 more bytes expected, 0 left" },
        { "a string where an integer belongs", "integer", [0xa1, 0x41], "0xa1 at byte 0 where an integer belongs" },
        { "a value cut short", "integer", [0xcd, 0x01], "2 more bytes expected, 1 left" },
        { "an array longer than the bytes left", "array", [0xdc, 0x00, 0x10, 0x01], "an array of 16 elements in 1 bytes" },
        { "a bin longer than the bytes left", "bytes", [0xc6, 0xff, 0xff, 0xff, 0xff], "4294967295 more bytes expected, 0 left" },
        { "a map that announces more than there is", "any value", [0x92, 0xdf, 0x7f, 0xff, 0xff, 0xff], "*values announced in 0 bytes" },
        { "the unused code", "any value", [0xc1], "0xc1 at byte 0 where a value belongs" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Bytes_that_are_not_what_was_asked_for_are_refused_with_a_reason(string what, string asked, byte[] bytes, string message)
    {
        Action read = () =>
        {
            var reader = new WireReader(bytes);
            _ = asked switch
            {
                "integer" => reader.ReadInt64(),
                "array" => reader.ReadArrayHeader(),
                "bytes" => reader.ReadBytes()?.Start.Value ?? 0,
                _ => reader.ReadRaw().End.Value,
            };
        };

        read.Should().Throw<WireFormatException>(what).WithMessage(message);
    }
}
