using System.Reflection;
using MessagePack;
using MessagePack.Formatters;

namespace Divvy.Jobs;

/// <summary>
/// The formatter MessagePack's DynamicObjectResolver would emit for a <c>[MessagePackObject]</c>
/// class with integer keys, made of reflection and delegates instead. Same bytes on the wire (an
/// array by key, nil for a gap or a null), the same constructor, the same members set after it. The
/// emitted one costs every master and every worker about 150 ms before its first item (MessagePack's
/// standard resolver chain, a dynamic assembly, then the type); this one costs about a millisecond.
/// </summary>
internal static class KeyedObjectFormatter
{
    /// <summary>The formatter for <typeparamref name="T"/>, or <c>null</c> when the layout is not a plain one (see <see cref="KeyedObjectLayout"/>).</summary>
    public static IMessagePackFormatter<T>? TryCreate<T>() =>
        KeyedObjectLayout.TryCreate(typeof(T)) is { } layout ? new KeyedObjectFormatter<T>(layout) : null;
}

/// <inheritdoc cref="KeyedObjectFormatter"/>
internal sealed class KeyedObjectFormatter<T> : IMessagePackFormatter<T>
{
    private readonly ConstructorInvoker _constructor;
    private readonly int _parameters;

    /// <summary>By key: the members written, each with its slot (key + 1 entries; null for a gap).</summary>
    private readonly KeyedMember<T>?[] _written;

    /// <summary>By key: the members read (key + 1 entries; null where the value is skipped).</summary>
    private readonly KeyedMember<T>?[] _read;

    /// <summary>The members set after the constructor, from the values read.</summary>
    private readonly KeyedMember<T>[] _assigned;

    internal KeyedObjectFormatter(KeyedObjectLayout layout)
    {
        UsesOptions = false;
        _constructor = ConstructorInvoker.Create(layout.Constructor);
        _parameters = layout.Constructor.GetParameters().Length;
        var written = new List<KeyedMember<T>?>();
        var read = new List<KeyedMember<T>?>();
        var assigned = new List<KeyedMember<T>>();
        foreach (KeyedMemberInfo info in layout.Members)
        {
            var member = (KeyedMember<T>)Activator.CreateInstance(typeof(KeyedMember<,>).MakeGenericType(typeof(T), info.Type), info)!;
            UsesOptions |= ItemResolver.Common(info.Type) is null;
            Place(read, info.Key, member);
            if (info.CanRead)
            {
                Place(written, info.Key, member);
            }

            if (!info.InConstructor && info.CanWrite)
            {
                assigned.Add(member);
            }
        }

        _written = written.ToArray();
        _read = read.ToArray();
        _assigned = assigned.ToArray();
    }

    /// <summary>
    /// <c>false</c> when every member is one of the common primitives: then this formatter needs no
    /// options (pass <c>null</c>), which spares a process MessagePack's options type (about 15 ms to
    /// set up) and leaves nothing nested for a depth limit to guard.
    /// </summary>
    public bool UsesOptions { get; }

    public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteArrayHeader(_written.Length);
        foreach (KeyedMember<T>? member in _written)
        {
            if (member is null)
            {
                writer.WriteNil();
            }
            else
            {
                member.Write(ref writer, value, options);
            }
        }
    }

    public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return default!;
        }

        // Null when UsesOptions is false: nothing nested, no depth to count.
        MessagePackSerializerOptions? guard = options;
        guard?.Security.DepthStep(ref reader);
        try
        {
            // One slot per key read; a key absent from the data or nil in it keeps its type's default.
            object?[] values = new object?[_read.Length];
            int count = reader.ReadArrayHeader();
            for (int key = 0; key < count; key++)
            {
                KeyedMember<T>? member = key < _read.Length ? _read[key] : null;
                if (member is null)
                {
                    reader.Skip();
                }
                else if (!reader.TryReadNil())
                {
                    values[key] = member.Read(ref reader, options);
                }
            }

            for (int key = 0; key < values.Length; key++)
            {
                values[key] ??= _read[key]?.Default;
            }

            // Parameter i takes key i (MessagePack's rule for integer keys), so the slots are the arguments.
            var result = (T)_constructor.Invoke(values.AsSpan(0, _parameters))!;
            foreach (KeyedMember<T> member in _assigned)
            {
                member.Assign(result, values[member.Key]);
            }

            return result;
        }
        finally
        {
            if (guard is not null)
            {
                reader.Depth--;
            }
        }
    }

    private static void Place(List<KeyedMember<T>?> slots, int key, KeyedMember<T> member)
    {
        while (slots.Count <= key)
        {
            slots.Add(null);
        }

        slots[key] = member;
    }
}

/// <summary>One member of a keyed object: how to write it from an instance, read it, and set it on one.</summary>
internal abstract class KeyedMember<T>(int key, object? defaultValue)
{
    public int Key { get; } = key;

    /// <summary>The value a missing or nil entry stands for: null, or the boxed default of a value type.</summary>
    public object? Default { get; } = defaultValue;

    public abstract void Write(ref MessagePackWriter writer, T instance, MessagePackSerializerOptions options);

    public abstract object? Read(ref MessagePackReader reader, MessagePackSerializerOptions options);

    public abstract void Assign(T instance, object? value);
}

/// <inheritdoc cref="KeyedMember{T}"/>
internal sealed class KeyedMember<T, TMember> : KeyedMember<T>
{
    private readonly Func<T, TMember>? _get;
    private readonly Action<T, TMember>? _set;

    // Resolved on first use, not here: a type may hold a member of its own type.
    private IMessagePackFormatter<TMember>? _formatter;

    public KeyedMember(KeyedMemberInfo info)
        : base(info.Key, typeof(TMember).IsValueType && Nullable.GetUnderlyingType(typeof(TMember)) is null ? default(TMember) : null)
    {
        switch (info.Member)
        {
            case PropertyInfo property:
                // Open-instance delegates over the accessors: a direct call, no boxing, no emitted code.
                _get = info.CanRead ? property.GetGetMethod()!.CreateDelegate<Func<T, TMember>>() : null;
                _set = info.CanWrite ? property.GetSetMethod()!.CreateDelegate<Action<T, TMember>>() : null;
                break;
            case FieldInfo field:
                _get = info.CanRead ? instance => (TMember)field.GetValue(instance)! : null;
                _set = info.CanWrite ? (instance, value) => field.SetValue(instance, value) : null;
                break;
        }
    }

    /// <summary>The member's formatter, from the resolver that made this one (options may be null, see <see cref="KeyedObjectFormatter{T}.UsesOptions"/>).</summary>
    private IMessagePackFormatter<TMember> Formatter => _formatter ??= ItemResolver.Instance.GetFormatterWithVerify<TMember>();

    public override void Write(ref MessagePackWriter writer, T instance, MessagePackSerializerOptions options) =>
        Formatter.Serialize(ref writer, _get!(instance), options);

    public override object? Read(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        Formatter.Deserialize(ref reader, options);

    public override void Assign(T instance, object? value) => _set!(instance, (TMember)value!);
}
