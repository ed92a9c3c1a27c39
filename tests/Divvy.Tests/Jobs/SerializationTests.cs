using Divvy.Jobs;
using MessagePack;

namespace Divvy.Tests.Jobs;

public sealed class SerializationTests
{
    [Fact]
    public void Items_round_trip_through_the_fast_path_and_the_resolver_alike()
    {
        Serialization.Deserialize<int>(Serialization.SerializeItem(42)).Should().Be(42);
        Serialization.Deserialize<string>(Serialization.SerializeItem("héllo")).Should().Be("héllo");
        Serialization.Deserialize<List<int>>(Serialization.SerializeItem(new List<int> { 1, 2 })).Should().Equal(1, 2);
        Serialization.Deserialize<ItemResolverTests.Point>(Serialization.SerializeItem(new ItemResolverTests.Point { X = 1, Y = 2 }))
            .Should().BeEquivalentTo(new ItemResolverTests.Point { X = 1, Y = 2 });
    }

    [Theory]
    [InlineData(100)]
    [InlineData(65_536)]
    [InlineData(Serialization.MaxPooledItem + 1)]
    public void A_dispatched_item_carries_exactly_its_serialized_bytes_pooled_or_not(int size)
    {
        byte[] value = [.. Enumerable.Range(0, size).Select(i => (byte)i)];

        DispatchedItem item = Serialization.DispatchItem(5, value);

        (item.Id, item.Value).Should().Be((5L, value));
        item.Payload.ToArray().Should().Equal(Serialization.SerializeItem(value), "the payload is the item's bytes, not the whole pooled array");
        item.ReleasePayload();
        item.ReleasePayload();
    }

    [Fact]
    public void An_item_of_a_type_MessagePack_cannot_handle_fails_naming_the_type_with_MessagePacks_reason()
    {
        Action serialize = () => Serialization.SerializeItem(new NotAnnotated());

        serialize.Should().Throw<ItemSerializationException>()
            .WithMessage($"*{typeof(NotAnnotated).FullName}*")
            .Which.InnerException!.Message.Should().Contain("MessagePackObject");
    }

    [Fact]
    public void An_item_that_cannot_be_dispatched_fails_alone_and_the_next_one_gets_clean_bytes()
    {
        Action dispatch = () => Serialization.DispatchItem(1, new NotAnnotated());

        dispatch.Should().Throw<ItemSerializationException>().WithMessage($"*{typeof(NotAnnotated).FullName}*");
        Serialization.DispatchItem(2, "next").Payload.ToArray().Should().Equal(Serialization.SerializeItem("next"));
    }

    [Fact]
    public void An_unserializable_item_is_one_line_naming_the_item_its_type_and_what_to_do()
    {
        Action serialize = () => Serialization.SerializeItem(new Described { Text = "order 42\nfor Bob" });

        serialize.Should().Throw<ItemSerializationException>().Which.Message.Should().Be(
            $"cannot serialize item \"order 42 for Bob\" ({typeof(Described).FullName}) for a worker: " +
            "mark Described [MessagePackObject] with [Key(0)], [Key(1)]... on the members to send, or use primitives, strings, arrays and collections of them");
    }

    [Fact]
    public void A_long_item_text_is_cut_short()
    {
        Action serialize = () => Serialization.SerializeItem(new Described { Text = new string('x', 500) });

        serialize.Should().Throw<ItemSerializationException>().Which.Message.Should().Contain($"item \"{new string('x', 80)}…\" (");
    }

    public sealed class Described
    {
        public string Text { get; set; } = "";

        public override string ToString() => Text;
    }

    [Fact]
    public void Bytes_of_the_wrong_shape_are_a_serialization_error_not_a_crash()
    {
        byte[] text = Serialization.SerializeItem("not a number");

        Action read = () => Serialization.Deserialize<int>(text);

        read.Should().Throw<MessagePackSerializationException>().WithMessage("*System.Int32*");
    }

    [Fact]
    public void Truncated_bytes_are_a_serialization_error()
    {
        byte[] bytes = Serialization.SerializeItem(new ItemResolverTests.Point { X = 1, Y = 2 });

        Action read = () => Serialization.Deserialize<ItemResolverTests.Point>(bytes.AsMemory(0, bytes.Length - 1));

        read.Should().Throw<MessagePackSerializationException>();
    }

    public sealed class NotAnnotated
    {
        public int Value { get; set; }
    }

    [Fact]
    public void Once_its_peer_is_across_a_network_a_process_reads_values_as_untrusted_data()
    {
        // Process-wide and one way, as in a TCP master or worker; the other tests' values read the same.
        Serialization.UseUntrustedData();

        Serialization.ReadsUntrustedData.Should().BeTrue();
        Serialization.Options.Security.Should().BeSameAs(MessagePackSecurity.UntrustedData);
        var nested = new Dictionary<string, List<int>> { ["a"] = [1, 2] };
        Serialization.Deserialize<Dictionary<string, List<int>>>(Serialization.SerializeItem(nested)).Should().BeEquivalentTo(nested);
    }
}
