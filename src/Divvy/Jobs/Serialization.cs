using System.Buffers;
using MessagePack;
using MessagePack.Formatters;

namespace Divvy.Jobs;

/// <summary>
/// How items and results become bytes, the same on both ends. The commonest item types go straight
/// to their MessagePack formatter; everything else goes through <see cref="ItemResolver"/> with
/// options that are created on first need, because setting up MessagePack's options type costs
/// several milliseconds in every process that touches it.
/// </summary>
internal static class Serialization
{
    /// <summary>What a type without any MessagePack formatter says; the exception's own advice covers it.</summary>
    internal const string NoFormatter = "has no MessagePack formatter";

    private const int MaxKeptBuffer = 1024 * 1024;

    /// <summary>Items serialized to at most this many bytes travel in pooled arrays; bigger ones get arrays of their own.</summary>
    internal const int MaxPooledItem = 1024 * 1024;

    private static MessagePackSerializerOptions? s_options;
    private static MessagePackSerializerOptions? s_untrustedOptions;
    private static volatile bool s_untrusted;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>
    /// The options for types beyond the common primitives: with MessagePack's untrusted-data
    /// settings (collision-resistant hashing, a depth limit) once <see cref="UseUntrustedData"/> was called.
    /// </summary>
    public static MessagePackSerializerOptions Options => s_untrusted
        ? LazyInitializer.EnsureInitialized(ref s_untrustedOptions, () => TrustedOptions.WithSecurity(MessagePackSecurity.UntrustedData))
        : TrustedOptions;

    /// <summary>Whether values are read as untrusted data, for tests.</summary>
    internal static bool ReadsUntrustedData => s_untrusted;

    private static MessagePackSerializerOptions TrustedOptions =>
        LazyInitializer.EnsureInitialized(ref s_options, () => new MessagePackSerializerOptions(ItemResolver.Instance));

    /// <summary>
    /// From now on, this process reads (and writes) values with MessagePack's untrusted-data settings:
    /// its peer is across a network, not its own parent or child. Local pipes keep the cheaper
    /// settings, since both ends are the same user's processes.
    /// </summary>
    public static void UseUntrustedData() => s_untrusted = true;

    /// <summary>Serializes an item in the master, naming the type when it cannot be done.</summary>
    public static byte[] SerializeItem<T>(T value)
    {
        ArrayBufferWriter<byte> buffer = SerializeToBuffer(value);

        // Not zeroed first (for big items, zeroing costs as much as the copy that overwrites it).
        byte[] bytes = GC.AllocateUninitializedArray<byte>(buffer.WrittenCount);
        buffer.WrittenSpan.CopyTo(bytes);
        ReleaseBuffer(buffer);
        return bytes;
    }

    /// <summary>
    /// Serializes an item in the master into the item's own payload: for items up to
    /// <see cref="MaxPooledItem"/>, an array from <see cref="ArrayPool{T}.Shared"/> that goes back
    /// when the item settles. A big item held from dispatch to its result outlives collections and
    /// is copied by each; a pooled one is not garbage at all.
    /// </summary>
    public static DispatchedItem DispatchItem<T>(long id, T value)
    {
        ArrayBufferWriter<byte> buffer = SerializeToBuffer(value);
        int length = buffer.WrittenCount;
        if (length > MaxPooledItem)
        {
            byte[] own = GC.AllocateUninitializedArray<byte>(length);
            buffer.WrittenSpan.CopyTo(own);
            ReleaseBuffer(buffer);
            return new DispatchedItem(id, value, own);
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        buffer.WrittenSpan.CopyTo(rented);
        ReleaseBuffer(buffer);
        return DispatchedItem.Pooled(id, value, rented, length);
    }

    private static ArrayBufferWriter<byte> SerializeToBuffer<T>(T value)
    {
        ArrayBufferWriter<byte> buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        try
        {
            var writer = new MessagePackWriter(buffer);
            Serialize(ref writer, value);
            writer.Flush();
        }
        catch (MessagePackSerializationException ex)
        {
            throw new ItemSerializationException(value, value?.GetType() ?? typeof(T), ex.InnerException ?? ex);
        }

        return buffer;
    }

    private static void ReleaseBuffer(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity > MaxKeptBuffer)
        {
            // Do not keep one huge item's buffer alive for the rest of the run.
            t_buffer = null;
        }
    }

    /// <summary>Writes one value; any failure comes out as a <see cref="MessagePackSerializationException"/> naming the type, as from MessagePackSerializer.</summary>
    public static void Serialize<T>(ref MessagePackWriter writer, T value)
    {
        try
        {
            Formatter<T>.Instance.Serialize(ref writer, value, Formatter<T>.NeedsOptions ? Options : null!);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new MessagePackSerializationException($"Failed to serialize {typeof(T).FullName} value: {ex.Message}", ex);
        }
    }

    /// <summary>Reads one value; any failure comes out as a <see cref="MessagePackSerializationException"/> naming the type, as from MessagePackSerializer.</summary>
    public static T Deserialize<T>(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            var reader = new MessagePackReader(bytes);
            return Formatter<T>.Instance.Deserialize(ref reader, Formatter<T>.NeedsOptions ? Options : null!);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new MessagePackSerializationException($"Failed to deserialize {typeof(T).FullName} value: {ex.Message}", ex);
        }
    }

    private static class Formatter<T>
    {
        /// <summary>The formatter for <typeparamref name="T"/>; it throws for a type MessagePack cannot handle.</summary>
        public static readonly IMessagePackFormatter<T> Instance;

        /// <summary>
        /// <c>false</c> for the common primitives, whose formatters never look at their options, and
        /// for keyed objects made of them; <c>true</c> for every other type (nested values are
        /// resolved through them).
        /// </summary>
        public static readonly bool NeedsOptions;

        static Formatter()
        {
            Instance = ItemResolver.Instance.GetFormatter<T>() ?? new UnsupportedFormatter<T>(null);
            NeedsOptions = ItemResolver.Common(typeof(T)) is null && Instance is not KeyedObjectFormatter<T> { UsesOptions: false };
        }
    }
}
