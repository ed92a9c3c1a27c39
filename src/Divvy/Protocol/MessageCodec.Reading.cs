
namespace Divvy.Protocol;

/// <summary>Decoding: a frame's bytes back to a message, every field checked.</summary>
internal static partial class MessageCodec
{
    /// <summary>
    /// Decodes one frame. Payloads in the returned message point into <paramref name="frame"/>
    /// unless <paramref name="ownPayloads"/> asks for copies, which a reader reusing its buffer needs.
    /// </summary>
    /// <exception cref="ProtocolException">The frame is not a well-formed message.</exception>
    public static Message Read(ReadOnlyMemory<byte> frame, bool ownPayloads = false) => Read(frame, ownPayloads, lease: null);

    /// <summary>
    /// Decodes an Items (or TracedItems) or Results frame that lives in <paramref name="lease"/>'s pooled array:
    /// each item of an Items frame, or the whole of a Results frame, holds the lease until released.
    /// </summary>
    /// <exception cref="ProtocolException">The frame is not a well-formed Items or Results message.</exception>
    public static Message ReadLeased(ReadOnlyMemory<byte> frame, Framing.FrameLease lease) => Read(frame, ownPayloads: false, lease);

    /// <summary>Whether <paramref name="frame"/> holds an Items or Results message, by its first bytes; a malformed frame is not.</summary>
    public static bool IsBatch(ReadOnlyMemory<byte> frame)
    {
        var reader = new WireReader(frame.Span);
        try
        {
            return reader.ReadArrayHeader() >= 1 && (MessageKind)reader.ReadInt32() is MessageKind.Items or MessageKind.TracedItems or MessageKind.Results;
        }
        catch (WireFormatException)
        {
            // Read says what is wrong with it.
            return false;
        }
    }

    private static Message Read(ReadOnlyMemory<byte> frame, bool ownPayloads, Framing.FrameLease? lease)
    {
        var reader = new WireReader(frame.Span);
        int kind = -1;
        try
        {
            int count = reader.ReadArrayHeader();
            if (count < 1)
            {
                throw new ProtocolException("malformed message: empty array");
            }

            kind = reader.ReadInt32();
            if ((MessageKind)kind is MessageKind.Items or MessageKind.TracedItems or MessageKind.Results)
            {
                return ReadBatch(frame, count, kind, ownPayloads, lease);
            }

            if (lease is not null)
            {
                throw new ArgumentException($"only Items and Results frames are read leased, not {Name(kind)}", nameof(lease));
            }

            if ((MessageKind)kind == MessageKind.Ready && count == ReadyFieldsBeforeVersion6)
            {
                // An older worker's Ready still names its version: the master refuses it by that, clearly.
                return new ReadyMessage(reader.ReadInt32(), reader.ReadInt32());
            }

            Expect(count, FieldCount(kind), kind);
            Message message = (MessageKind)kind switch
            {
                MessageKind.Item => new ItemMessage(reader.ReadInt64(), RawValue(frame, ref reader, ownPayloads)),
                MessageKind.Result => new ResultMessage(reader.ReadInt64(), reader.ReadInt64(), RawValue(frame, ref reader, ownPayloads)),
                MessageKind.Failure => new FailureMessage(reader.ReadInt64(), reader.ReadInt64(), ReadEnum<FailureKind>(ref reader, kind), ReadError(ref reader), reader.TryReadNil() ? null : frame[reader.ReadRaw()].ToArray()),
                MessageKind.Start => new StartMessage(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt32()),
                MessageKind.Goodbye => new GoodbyeMessage(reader.ReadInt32()),
                MessageKind.Ping => PingMessage.Instance,
                MessageKind.Pong => PongMessage.Instance,
                MessageKind.Retiring => new RetiringMessage(ReadEnum<RecycleReason>(ref reader, kind)),
                MessageKind.Ready => new ReadyMessage(reader.ReadInt32(), reader.ReadInt32(), reader.ReadString(), reader.ReadString()),
                MessageKind.Stop => StopMessage.Instance,
                MessageKind.Output => new OutputMessage(ReadEnum<StandardStream>(ref reader, kind), Bytes(frame, ref reader, ownPayloads, kind)),
                _ => new FatalMessage(reader.ReadString() ?? "", ReadError(ref reader)),
            };

            if (!reader.End)
            {
                throw new ProtocolException($"malformed {Name(kind)} message: {frame.Length - reader.Consumed} bytes after its end");
            }

            return message;
        }
        catch (WireFormatException ex)
        {
            // Bytes of the wrong type or too few bytes: the peer sent something that is not our protocol.
            throw new ProtocolException($"malformed {Name(kind)} message: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Decodes an Items or Results frame. A frame the reader will overwrite is copied once, whole,
    /// and every entry's payload points into that copy: one array per batch, not one per entry.
    /// </summary>
    private static Message ReadBatch(ReadOnlyMemory<byte> frame, int fields, int kind, bool ownPayloads, Framing.FrameLease? lease)
    {
        if (ownPayloads)
        {
            frame = frame.ToArray();
        }

        var reader = new WireReader(frame.Span);
        reader.ReadArrayHeader();
        reader.ReadInt32();
        int count = reader.ReadInt32();
        int perEntry = (MessageKind)kind switch
        {
            MessageKind.Items => 2,
            MessageKind.TracedItems => TracedEntryFields,
            _ => 3,
        };

        // Every field takes at least a byte: a count the frame cannot hold is refused before anything is allocated for it.
        if (count < 0 || count > frame.Length / perEntry || fields != 2 + ((long)perEntry * count))
        {
            throw new ProtocolException($"malformed {Name(kind)} message: {fields} fields for {count} entries");
        }

        Message message;
        if ((MessageKind)kind == MessageKind.Items)
        {
            var items = new ItemMessage[count];
            for (int i = 0; i < count; i++)
            {
                items[i] = new ItemMessage(reader.ReadInt64(), frame[reader.ReadRaw()]) { Lease = lease };
            }

            message = new ItemsMessage(items);
        }
        else if ((MessageKind)kind == MessageKind.TracedItems)
        {
            var items = new ItemMessage[count];
            for (int i = 0; i < count; i++)
            {
                items[i] = ReadTracedEntry(frame, ref reader, lease);
            }

            message = new ItemsMessage(items);
        }
        else
        {
            var results = new ResultEntry[count];
            for (int i = 0; i < count; i++)
            {
                results[i] = new ResultEntry(reader.ReadInt64(), reader.ReadInt64(), frame[reader.ReadRaw()]);
            }

            message = new ResultsMessage(results) { Lease = lease };
        }

        if (!reader.End)
        {
            throw new ProtocolException($"malformed {Name(kind)} message: {frame.Length - reader.Consumed} bytes after its end");
        }

        // Only now, with the whole frame accepted: each item holds the lease, or the results hold it once.
        lease?.Hold((MessageKind)kind == MessageKind.Results ? 1 : count);
        return message;
    }

    private static int FieldCount(int kind) => (MessageKind)kind switch
    {
        MessageKind.Item => 3,
        MessageKind.Result => 4,
        MessageKind.Failure => 8,
        MessageKind.Start => 11,
        MessageKind.Goodbye => 2,
        MessageKind.Ping => 1,
        MessageKind.Pong => 1,
        MessageKind.Retiring => 2,
        MessageKind.Ready => 5,
        MessageKind.Stop => 1,
        MessageKind.Fatal => 5,
        MessageKind.Output => 3,
        _ => throw new ProtocolException($"malformed message: unknown message kind {kind}"),
    };

    private static void Expect(int count, int expected, int kind)
    {
        if (count != expected)
        {
            throw new ProtocolException($"malformed {Name(kind)} message: {count} fields, expected {expected}");
        }
    }

    private static T ReadEnum<T>(ref WireReader reader, int kind)
        where T : struct, Enum
    {
        int value = reader.ReadInt32();
        return Enum.IsDefined(typeof(T), value)
            ? (T)(object)value
            : throw new ProtocolException($"malformed {Name(kind)} message: {value} is not a {typeof(T).Name}");
    }

    /// <summary>One MessagePack value (a payload), as a slice of the frame unless <paramref name="copy"/> asks for an array of its own.</summary>
    private static ReadOnlyMemory<byte> RawValue(ReadOnlyMemory<byte> frame, ref WireReader reader, bool copy)
    {
        ReadOnlyMemory<byte> raw = frame[reader.ReadRaw()];
        return copy ? raw.ToArray() : raw;
    }

    /// <summary>A MessagePack bin, as a slice of the frame unless <paramref name="copy"/> asks for an array of its own.</summary>
    private static ReadOnlyMemory<byte> Bytes(ReadOnlyMemory<byte> frame, ref WireReader reader, bool copy, int kind)
    {
        ReadOnlyMemory<byte> bytes = reader.ReadBytes() is { } range ? frame[range] : throw new ProtocolException($"malformed {Name(kind)} message: nil where bytes belong");
        return copy ? bytes.ToArray() : bytes;
    }
}
