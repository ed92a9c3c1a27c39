using System.Buffers;
using System.Runtime.InteropServices;
using Divvy.Framing;

namespace Divvy.Protocol;

/// <summary>
/// Turns a frame just read into a message the caller may keep, without a fresh array per frame:
/// an Items or Results frame lives in a pooled array (the reader's own, for a big frame it rented,
/// or one rented here for a copy out of the reader's buffer), which its messages hold through a
/// <see cref="FrameLease"/> and release when done with the payloads. Other messages are rare and
/// small: they get copies, and a rented frame goes straight back.
/// </summary>
internal static class FrameDecoding
{
    /// <exception cref="ProtocolException">The frame is not a well-formed message.</exception>
    public static Message Decode(FrameReader reader, ReadOnlyMemory<byte> frame)
    {
        bool inBuffer = reader.IsInBuffer(frame);
        bool rented = !inBuffer && reader.IsRented(frame);
        if (!MessageCodec.IsBatch(frame))
        {
            // A frame in the reader's buffer is overwritten by the next read: the message gets its own copy.
            Message message = MessageCodec.Read(frame, ownPayloads: inBuffer || rented);
            if (rented)
            {
                ArrayPool<byte>.Shared.Return(ArrayOf(frame));
            }

            return message;
        }

        if (!inBuffer && !rented)
        {
            // An array of its own, the caller's to keep.
            return MessageCodec.Read(frame);
        }

        byte[] array;
        if (rented)
        {
            array = ArrayOf(frame);
        }
        else
        {
            array = ArrayPool<byte>.Shared.Rent(frame.Length);
            frame.CopyTo(array);
        }

        return MessageCodec.ReadLeased(array.AsMemory(0, frame.Length), new FrameLease(array));
    }

    private static byte[] ArrayOf(ReadOnlyMemory<byte> frame) =>
        MemoryMarshal.TryGetArray(frame, out ArraySegment<byte> segment) ? segment.Array! : throw new InvalidOperationException("a rented frame is an array");
}
