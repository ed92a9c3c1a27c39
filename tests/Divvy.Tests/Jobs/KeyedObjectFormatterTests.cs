using Divvy.Jobs;
using FluentAssertions;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;
using Xunit;

namespace Divvy.Tests.Jobs;

/// <summary>
/// [MessagePackObject] classes with integer keys are written and read without MessagePack's
/// emitted formatters, with the same bytes both ways; every other shape still goes to the standard
/// resolver, which keeps its own rules and its own error messages.
/// </summary>
public sealed class KeyedObjectFormatterTests
{
    public static TheoryData<object> Keyed => new()
    {
        new Positional(7, "seven", [1, 2, 3]),
        new Positional(0, null, null),
        new Settable { Id = 3, Name = "three", Tags = ["a", "b"] },
        new WithGap { First = 1, Third = "third" },
        new Mixed(5) { Note = "set after the constructor", Score = 2.5 },
        new WithFields { Count = 4, Label = "fields" },
        new Derived { Id = 9, Extra = "derived" },
        new Outer(1, new Positional(2, "inner", [9]), [new Positional(3, "listed", [])]),
        new WithComputed(6),
        new Positional(8, "big", new byte[100_000]),
    };

    [Theory]
    [MemberData(nameof(Keyed))]
    public void It_writes_the_bytes_the_standard_resolver_writes_and_each_reads_the_others(object value)
    {
        Type type = value.GetType();
        byte[] standard = MessagePackSerializer.Serialize(type, value, MessagePackSerializerOptions.Standard);
        byte[] ours = MessagePackSerializer.Serialize(type, value, Serialization.Options);

        ours.Should().Equal(standard);
        MessagePackSerializer.Deserialize(type, standard, Serialization.Options).Should().BeEquivalentTo(value, o => o.RespectingRuntimeTypes());
        MessagePackSerializer.Deserialize(type, ours, MessagePackSerializerOptions.Standard).Should().BeEquivalentTo(value, o => o.RespectingRuntimeTypes());
    }

    [Fact]
    public void It_is_the_formatter_chosen_for_a_keyed_record_and_a_record_of_primitives_needs_no_options()
    {
        IMessagePackFormatter<Positional>? positional = ItemResolver.Instance.GetFormatter<Positional>();
        IMessagePackFormatter<Outer>? outer = ItemResolver.Instance.GetFormatter<Outer>();

        positional.Should().BeOfType<KeyedObjectFormatter<Positional>>().Which.UsesOptions.Should().BeFalse("int, string and byte[] formatters never look at options");
        outer.Should().BeOfType<KeyedObjectFormatter<Outer>>().Which.UsesOptions.Should().BeTrue("nested objects and lists resolve through the options");

        byte[] bytes = Serialization.SerializeItem(new Positional(1, "x", [2]));
        Serialization.Deserialize<Positional>(bytes).Should().BeEquivalentTo(new Positional(1, "x", [2]));
    }

    [Theory]
    [InlineData(typeof(StringKeyed), "string keys are written as a map")]
    [InlineData(typeof(KeyedStruct), "structs have their own rules")]
    [InlineData(typeof(CustomMember), "a member with its own formatter")]
    [InlineData(typeof(WithCallbacks), "serialization callbacks")]
    [InlineData(typeof(InternalRecord), "MessagePack refuses a non-public type")]
    [InlineData(typeof(MissingKey), "MessagePack refuses a public member without a key")]
    [InlineData(typeof(Plain), "no [MessagePackObject] at all")]
    public void Other_shapes_are_left_to_the_standard_resolver(Type type, string because)
    {
        KeyedObjectLayout.TryCreate(type).Should().BeNull(because);
    }

    [Fact]
    public void A_type_MessagePack_refuses_fails_with_MessagePacks_own_reason()
    {
        Action write = () => Serialization.SerializeItem(new MissingKey { Id = 1, Unkeyed = 2 });

        write.Should().Throw<ItemSerializationException>().WithMessage("*must mark KeyAttribute or IgnoreMemberAttribute*");
    }

    [Fact]
    public void Missing_trailing_entries_and_nils_read_as_defaults_and_extra_entries_are_skipped()
    {
        // [1] (a shorter array), then [1, nil, nil, "extra", 42] (nils and unknown keys).
        byte[] shorter = [0x91, 0x01];
        byte[] longer = [0x95, 0x01, 0xc0, 0xc0, 0xa5, (byte)'e', (byte)'x', (byte)'t', (byte)'r', (byte)'a', 0x2a];

        Serialization.Deserialize<Positional>(shorter).Should().BeEquivalentTo(new Positional(1, null, null));
        Serialization.Deserialize<Positional>(longer).Should().BeEquivalentTo(new Positional(1, null, null));
        Serialization.Deserialize<Positional>(new byte[] { 0xc0 }).Should().BeNull();
    }

    [Fact]
    public void Untrusted_data_nested_past_the_depth_limit_is_refused()
    {
        var options = Serialization.Options.WithSecurity(MessagePackSecurity.UntrustedData.WithMaximumObjectGraphDepth(2));
        var deep = new Outer(1, new Positional(2, "a", []), [new Positional(3, "b", [])]);
        byte[] bytes = MessagePackSerializer.Serialize(deep, Serialization.Options);

        Action read = () => MessagePackSerializer.Deserialize<Outer>(bytes, options);
        MessagePackSerializer.Deserialize<Outer>(bytes, Serialization.Options.WithSecurity(MessagePackSecurity.UntrustedData)).Should().BeEquivalentTo(deep);
        read.Should().Throw<MessagePackSerializationException>().WithInnerException<InsufficientExecutionStackException>();
    }

    [MessagePackObject]
    public sealed record Positional([property: Key(0)] int Number, [property: Key(1)] string? Name, [property: Key(2)] byte[]? Data);

    [MessagePackObject]
    public sealed class Settable
    {
        [Key(0)]
        public int Id { get; set; }

        [Key(1)]
        public string? Name { get; set; }

        [Key(2)]
        public List<string>? Tags { get; set; }
    }

    [MessagePackObject]
    public sealed class WithGap
    {
        [Key(0)]
        public int First { get; set; }

        [Key(2)]
        public string? Third { get; set; }

        [IgnoreMember]
        public int Ignored { get; set; } = 99;
    }

    [MessagePackObject]
    public sealed class Mixed(int id)
    {
        [Key(0)]
        public int Id { get; } = id;

        [Key(1)]
        public string? Note { get; set; }

        [Key(2)]
        public double Score { get; init; }
    }

    [MessagePackObject]
    public sealed class WithFields
    {
        [Key(0)]
        public int Count;

        [Key(1)]
        public string? Label;
    }

    [MessagePackObject]
    public class Base
    {
        [Key(0)]
        public int Id { get; set; }
    }

    [MessagePackObject]
    public sealed class Derived : Base
    {
        [Key(1)]
        public string? Extra { get; set; }
    }

    [MessagePackObject]
    public sealed record Outer([property: Key(0)] int Id, [property: Key(1)] Positional Inner, [property: Key(2)] List<Positional> All);

    [MessagePackObject]
    public sealed class WithComputed(int value)
    {
        [Key(0)]
        public int Value { get; } = value;

        // Get-only and not a constructor parameter: MessagePack writes it, and skips it on reading.
        [Key(1)]
        public int Twice => Value * 2;
    }

    [MessagePackObject(keyAsPropertyName: true)]
    public sealed class StringKeyed
    {
        public int Id { get; set; }
    }

    [MessagePackObject]
    public struct KeyedStruct
    {
        [Key(0)]
        public int Id { get; set; }
    }

    [MessagePackObject]
    public sealed class CustomMember
    {
        [Key(0)]
        [MessagePackFormatter(typeof(NativeDateTimeFormatter))]
        public DateTime When { get; set; }
    }

    [MessagePackObject]
    public sealed class WithCallbacks : IMessagePackSerializationCallbackReceiver
    {
        [Key(0)]
        public int Id { get; set; }

        public void OnBeforeSerialize()
        {
        }

        public void OnAfterDeserialize()
        {
        }
    }

    [MessagePackObject]
    internal sealed record InternalRecord([property: Key(0)] int Id);

    [MessagePackObject]
    public sealed class MissingKey
    {
        [Key(0)]
        public int Id { get; set; }

        public int Unkeyed { get; set; }
    }

    public sealed class Plain
    {
        public int Id { get; set; }
    }
}
