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

    [ThreadStatic]
    private static PooledBufferWriter? t_pooled;

    [ThreadStatic]
    private static int t_lastItemSize;

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
        ArrayBufferWriter<byte> buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        WriteItem(buffer, value);

        // Not zeroed first (for big items, zeroing costs as much as the copy that overwrites it).
        byte[] bytes = GC.AllocateUninitializedArray<byte>(buffer.WrittenCount);
        buffer.WrittenSpan.CopyTo(bytes);
        if (buffer.Capacity > MaxKeptBuffer)
        {
            // Do not keep one huge item's buffer alive for the rest of the run.
            t_buffer = null;
        }

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
        // Straight into a pooled array sized like the last item: no copy after.
        PooledBufferWriter buffer = t_pooled ??= new PooledBufferWriter(MaxPooledItem);
        buffer.Start(t_lastItemSize);
        try
        {
            WriteItem(buffer, value);
        }
        catch
        {
            buffer.Abandon();
            throw;
        }

        int length = buffer.WrittenCount;
        t_lastItemSize = Math.Min(length, MaxPooledItem);
        byte[] rented = buffer.Detach();
        if (length > MaxPooledItem)
        {
            // A big item gets an array of its own size; the bigger pooled one is left to the collector.
            byte[] own = GC.AllocateUninitializedArray<byte>(length);
            rented.AsSpan(0, length).CopyTo(own);
            return new DispatchedItem(id, value, own);
        }

        return DispatchedItem.Pooled(id, value, rented, length);
    }

    private static void WriteItem<T>(IBufferWriter<byte> output, T value)
    {
        try
        {
            var writer = new MessagePackWriter(output);
            Serialize(ref writer, value);
            writer.Flush();
        }
        catch (MessagePackSerializationException ex)
        {
            throw new ItemSerializationException(value, value?.GetType() ?? typeof(T), ex.InnerException ?? ex);
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

    /// <summary>Resolves <typeparamref name="T"/>'s formatter now (a served job primes its types before the first request).</summary>
    public static void Prime<T>() => _ = Formatter<T>.Instance;

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
