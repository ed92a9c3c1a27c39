using System.Buffers;
using MessagePack;
using MessagePack.Formatters;

namespace Divvy.Jobs;

/// <summary>
/// <c>byte[]</c> as MessagePack's own formatter writes and reads it (a bin value, or nil), except
/// that the array a read returns is not zeroed before the bytes are copied into it: for payloads of
/// tens of kilobytes that zeroing cost as much as the copy, in every worker and again in the master.
/// </summary>
internal sealed class BytesFormatter : IMessagePackFormatter<byte[]?>
{
    public static readonly BytesFormatter Instance = new();

    private BytesFormatter()
    {
    }

    public void Serialize(ref MessagePackWriter writer, byte[]? value, MessagePackSerializerOptions options) => writer.Write(value);

    public byte[]? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.ReadBytes() is not { } sequence)
        {
            return null;
        }

        if (sequence.Length == 0)
        {
            return [];
        }

        byte[] bytes = GC.AllocateUninitializedArray<byte>(checked((int)sequence.Length));
        sequence.CopyTo(bytes);
        return bytes;
    }
}
