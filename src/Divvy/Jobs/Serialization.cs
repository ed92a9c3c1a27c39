using MessagePack;

namespace Divvy.Jobs;

/// <summary>The one set of MessagePack options both ends use for items and results.</summary>
internal static class Serialization
{
    public static MessagePackSerializerOptions Options { get; } = new(ItemResolver.Instance);

    /// <summary>Serializes an item in the master, naming the type when it cannot be done.</summary>
    public static byte[] SerializeItem<T>(T value)
    {
        try
        {
            return MessagePackSerializer.Serialize(value, Options);
        }
        catch (MessagePackSerializationException ex)
        {
            throw new ItemSerializationException(value?.GetType() ?? typeof(T), ex.InnerException ?? ex);
        }
    }
}
