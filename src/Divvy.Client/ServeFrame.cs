using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Divvy.Client;

/// <summary>One frame of the <c>divvy/1</c> protocol: <c>u32 length | u8 type | u32 channel | payload</c>, all big-endian.</summary>
internal readonly record struct ServeFrame(ServeFrameType Type, uint Channel, ReadOnlyMemory<byte> Payload)
{
    /// <summary>The 8 bytes each side sends first.</summary>
    public static ReadOnlySpan<byte> Preface => "DIVVY/1\n"u8;

    /// <summary>Largest payload either side sends or accepts.</summary>
    public const int MaxPayload = 1024 * 1024;

    /// <summary>Largest data payload (stdout, stderr, stdin) a sender puts in one frame.</summary>
    public const int MaxChunk = 64 * 1024;

    private const int HeaderSize = 9;

    /// <summary>A frame whose payload is <paramref name="json"/> as UTF-8.</summary>
    public static ServeFrame Json(ServeFrameType type, uint channel, JsonNode json) =>
        new(type, channel, Encoding.UTF8.GetBytes(json.ToJsonString()));

    /// <summary>The payload read as a JSON object.</summary>
    /// <exception cref="InvalidDataException">It is not one.</exception>
    public JsonObject ReadJson()
    {
        try
        {
            return JsonNode.Parse(Payload.Span, documentOptions: new JsonDocumentOptions { MaxDepth = 16 }) as JsonObject
                ?? throw new InvalidDataException($"{Type} frame: the payload is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{Type} frame: the payload is not JSON ({ex.Message})", ex);
        }
    }

    /// <summary>Writes the frame (header and payload in one write).</summary>
    public async ValueTask WriteAsync(Stream stream, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[HeaderSize + Payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(buffer, (uint)(Payload.Length + 5));
        buffer[4] = (byte)Type;
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(5), Channel);
        Payload.Span.CopyTo(buffer.AsSpan(HeaderSize));
        await stream.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the next frame; <c>null</c> at a clean end of the stream (between frames).</summary>
    /// <exception cref="InvalidDataException">A length out of bounds, or a stream that ends inside a frame.</exception>
    public static async ValueTask<ServeFrame?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        byte[] header = new byte[HeaderSize];
        int read = await ReadAtLeastAsync(stream, header, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return null;
        }

        if (read < HeaderSize)
        {
            throw new InvalidDataException("the stream ended inside a frame header");
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length < 5 || length > MaxPayload + 5)
        {
            throw new InvalidDataException($"a frame of {length} bytes (5 to {MaxPayload + 5} allowed)");
        }

        byte[] payload = length == 5 ? [] : new byte[length - 5];
        if (await ReadAtLeastAsync(stream, payload, cancellationToken).ConfigureAwait(false) < payload.Length)
        {
            throw new InvalidDataException("the stream ended inside a frame");
        }

        return new ServeFrame((ServeFrameType)header[4], BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(5)), payload);
    }

    /// <summary>Reads the peer's preface.</summary>
    /// <exception cref="InvalidDataException">The peer does not speak <c>divvy/1</c>.</exception>
    public static async ValueTask ReadPrefaceAsync(Stream stream, CancellationToken cancellationToken)
    {
        byte[] preface = new byte[Preface.Length];
        int read = await ReadAtLeastAsync(stream, preface, cancellationToken).ConfigureAwait(false);
        if (read < preface.Length || !preface.AsSpan().SequenceEqual(Preface))
        {
            throw new InvalidDataException("the peer does not speak divvy/1 (wrong preface)");
        }
    }

    private static async ValueTask<int> ReadAtLeastAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken) =>
        buffer.Length == 0 ? 0 : await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
}
