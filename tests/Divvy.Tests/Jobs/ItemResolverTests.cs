using Divvy.Jobs;
using FluentAssertions;
using MessagePack;
using MessagePack.Resolvers;
using Xunit;

namespace Divvy.Tests.Jobs;

public sealed class ItemResolverTests
{
    public static TheoryData<object> Values => new()
    {
        42, -7, int.MaxValue, 1L << 40, "héllo", "", 3.25, true, new byte[] { 1, 2, 3 },
        (short)5, 2.5f, Guid.Empty, new[] { 1, 2 }, new List<string> { "a", "b" }, (1, "x"),
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void It_writes_the_same_bytes_as_the_standard_resolver_and_reads_them_back(object value)
    {
        Type type = value.GetType();
        byte[] standard = MessagePackSerializer.Serialize(type, value, MessagePackSerializerOptions.Standard);
        byte[] ours = MessagePackSerializer.Serialize(type, value, Serialization.Options);

        ours.Should().Equal(standard);
        MessagePackSerializer.Deserialize(type, ours, Serialization.Options).Should().BeEquivalentTo(value);
    }

    [Theory]
    [InlineData(typeof(int))]
    [InlineData(typeof(long))]
    [InlineData(typeof(string))]
    [InlineData(typeof(double))]
    [InlineData(typeof(bool))]
    public void Its_shortcut_for_common_types_is_the_built_in_resolvers_own_formatter(Type type)
    {
        object? builtin = typeof(BuiltinResolver).GetMethod(nameof(BuiltinResolver.GetFormatter))!.MakeGenericMethod(type).Invoke(BuiltinResolver.Instance, null);

        ItemResolver.Common(type).Should().NotBeNull().And.BeSameAs(builtin);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(70_000)]
    public void Byte_arrays_are_written_as_the_built_in_formatter_writes_them_and_read_back_whole(int length)
    {
        byte[]? value = length < 0 ? null : [.. Enumerable.Range(0, length).Select(i => (byte)(i * 7))];

        byte[] bytes = Serialization.SerializeItem(value);

        ItemResolver.Common(typeof(byte[])).Should().BeSameAs(BytesFormatter.Instance);
        bytes.Should().Equal(MessagePackSerializer.Serialize(value, MessagePackSerializerOptions.Standard));
        Serialization.Deserialize<byte[]?>(bytes).Should().Equal(value);
    }

    [Fact]
    public void A_type_outside_the_built_in_table_falls_back_to_the_standard_resolver()
    {
        var value = new Point { X = 3, Y = 4 };
        byte[] bytes = MessagePackSerializer.Serialize(value, Serialization.Options);

        bytes.Should().Equal(MessagePackSerializer.Serialize(value, MessagePackSerializerOptions.Standard));
        MessagePackSerializer.Deserialize<Point>(bytes, Serialization.Options).Should().BeEquivalentTo(value);
    }

    [MessagePackObject]
    public sealed class Point
    {
        [Key(0)]
        public int X { get; set; }

        [Key(1)]
        public int Y { get; set; }
    }
}
