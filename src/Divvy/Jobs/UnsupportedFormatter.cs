using MessagePack;
using MessagePack.Formatters;

namespace Divvy.Jobs;

/// <summary>
/// Stands in for a type MessagePack cannot handle, so the problem surfaces where a value of it is
/// serialized, as a <see cref="MessagePackSerializationException"/> with MessagePack's own reason,
/// rather than as a type initializer failure.
/// </summary>
internal sealed class UnsupportedFormatter<T> : IMessagePackFormatter<T>
{
    private readonly Exception? _reason;

    public UnsupportedFormatter(Exception? reason)
    {
        _reason = reason;
    }

    public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options) => throw NotSupported();

    public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => throw NotSupported();

    private MessagePackSerializationException NotSupported() =>
        new(_reason?.Message ?? $"{typeof(T).FullName} {Serialization.NoFormatter}: use a primitive, a string, an array or collection of them, or a [MessagePackObject] type", _reason);
}
