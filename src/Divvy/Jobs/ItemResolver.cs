using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace Divvy.Jobs;

/// <summary>
/// MessagePack's standard resolver, minus its start-up bill for primitives and for
/// [MessagePackObject] classes with integer keys. The standard resolver asks
/// <see cref="BuiltinResolver"/> first anyway; asking it ourselves means the rest of the chain
/// (whose static set-up builds a dynamic assembly, then emits a formatter per type: about 150 ms in
/// every master and worker) is touched only for a type neither the built-in formatters nor
/// <see cref="KeyedObjectFormatter"/> cover. Same bytes on the wire.
/// </summary>
internal sealed class ItemResolver : IFormatterResolver
{
    public static readonly ItemResolver Instance = new();

    private ItemResolver()
    {
    }

    public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.Formatter;

    /// <summary>
    /// The commonest item types, answered without even the built-in resolver's table (whose set-up
    /// costs several more milliseconds): the very formatters that table holds for them, and for
    /// <c>byte[]</c> one that writes the same bytes and reads without zeroing first (<see cref="BytesFormatter"/>).
    /// </summary>
    internal static object? Common(Type type) =>
        type == typeof(int) ? Int32Formatter.Instance
        : type == typeof(long) ? Int64Formatter.Instance
        : type == typeof(string) ? NullableStringFormatter.Instance
        : type == typeof(double) ? DoubleFormatter.Instance
        : type == typeof(bool) ? BooleanFormatter.Instance
        : type == typeof(byte[]) ? BytesFormatter.Instance
        : null;

    private static class Cache<T>
    {
        public static readonly IMessagePackFormatter<T>? Formatter = Find();

        private static IMessagePackFormatter<T>? Find()
        {
            try
            {
                return (IMessagePackFormatter<T>?)Common(typeof(T))
                    ?? Keyed()
                    ?? BuiltinResolver.Instance.GetFormatter<T>()
                    ?? StandardResolver.Instance.GetFormatter<T>();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // MessagePack explains here why it cannot handle the type (say, no [MessagePackObject]);
                // keep that for when a value is serialized instead of failing the type initializer.
                return new UnsupportedFormatter<T>(ex);
            }
        }

        /// <summary>
        /// A [MessagePackObject] class with integer keys, without Reflection.Emit. Should a shape slip
        /// past <see cref="KeyedObjectLayout"/> that reflection cannot bind, the standard resolver
        /// (which can) takes the type instead of the item failing.
        /// </summary>
        private static IMessagePackFormatter<T>? Keyed()
        {
            try
            {
                return KeyedObjectFormatter.TryCreate<T>();
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or MemberAccessException or NotSupportedException)
            {
                return null;
            }
        }
    }
}
