using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace Divvy.Jobs;

/// <summary>
/// MessagePack's standard resolver, minus its start-up bill when items are primitives. The
/// standard resolver asks <see cref="BuiltinResolver"/> first anyway; asking it ourselves means the
/// rest of the chain (whose static set-up builds a dynamic assembly, about 20 ms in every master
/// and worker) is touched only for a type the built-in formatters do not cover. Same formatters,
/// same bytes on the wire.
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
    /// costs several more milliseconds): the very formatters that table holds for them.
    /// </summary>
    internal static object? Common(Type type) =>
        type == typeof(int) ? Int32Formatter.Instance
        : type == typeof(long) ? Int64Formatter.Instance
        : type == typeof(string) ? NullableStringFormatter.Instance
        : type == typeof(double) ? DoubleFormatter.Instance
        : type == typeof(bool) ? BooleanFormatter.Instance
        : type == typeof(byte[]) ? ByteArrayFormatter.Instance
        : null;

    private static class Cache<T>
    {
        public static readonly IMessagePackFormatter<T>? Formatter = Find();

        private static IMessagePackFormatter<T>? Find()
        {
            try
            {
                return (IMessagePackFormatter<T>?)Common(typeof(T))
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
    }
}
