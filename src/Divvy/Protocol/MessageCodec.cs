using System.Buffers;
using Divvy.Jobs;
using MessagePack;

namespace Divvy.Protocol;

/// <summary>
/// Encodes messages as MessagePack arrays whose first element is the <see cref="MessageKind"/>.
/// Hand-written rather than attribute-driven: the hot messages (items and results) embed the
/// user's payload without copying it into a nested binary.
/// </summary>
internal static class MessageCodec
{
    /// <summary>Bytes an Items or Results frame adds around its entries, and an entry around its payload, at most.</summary>
    public const int BatchOverhead = 16;

    /// <inheritdoc cref="BatchOverhead"/>
    public const int EntryOverhead = 18;

    /// <summary>Bytes an Output frame adds around the bytes it carries, at most.</summary>
    public const int OutputOverhead = 8;

    /// <summary>
    /// About how much an Items or Results frame carries before the next entry starts a new frame
    /// (one entry bigger than this gets a frame of its own). The reader copies every frame it keeps
    /// into an array, or reads a big one into an array of its own: kept this small, those arrays
    /// stay below the large object heap (85,000 bytes), die young, and never trigger a full
    /// collection. Several frames still go out in one write.
    /// </summary>
    public const int PreferredBatchBytes = 32 * 1024;

    /// <summary>A Ready message's fields up to protocol 5 (no host, no launch id).</summary>
    private const int ReadyFieldsBeforeVersion6 = 3;

    /// <summary>
    /// Writes an Items frame's body straight from <paramref name="count"/> items starting at
    /// <paramref name="start"/>: the master's hot path, with no message object per item.
    /// </summary>
    public static void WriteItems(IBufferWriter<byte> output, IReadOnlyList<DispatchedItem> items, int start, int count)
    {
        var writer = new MessagePackWriter(output);
        writer.WriteArrayHeader(2 + (2 * count));
        writer.Write((int)MessageKind.Items);
        writer.Write(count);
        for (int i = start; i < start + count; i++)
        {
            writer.Write(items[i].Id);
            writer.WriteRaw(items[i].Payload.Span);
        }

        writer.Flush();
    }

    /// <summary>Writes the id and duration that start one entry of a Results frame; the result's value follows.</summary>
    public static void WriteResultEntry(ref MessagePackWriter writer, long id, long elapsedTicks)
    {
        writer.Write(id);
        writer.Write(elapsedTicks);
    }

    /// <summary>Writes a Results frame's body around <paramref name="count"/> entries already encoded one after the other.</summary>
    public static void WriteResults(IBufferWriter<byte> output, int count, ReadOnlySpan<byte> entries)
    {
        var writer = new MessagePackWriter(output);
        writer.WriteArrayHeader(2 + (3 * count));
        writer.Write((int)MessageKind.Results);
        writer.Write(count);
        writer.WriteRaw(entries);
        writer.Flush();
    }

    /// <summary>
    /// Writes an Output frame's body straight from <paramref name="bytes"/>: the worker's output
    /// path, with no message object or copy per chunk. <see cref="OutputOverhead"/> bytes at most go around them.
    /// </summary>
    public static void WriteOutput(IBufferWriter<byte> output, StandardStream stream, ReadOnlySpan<byte> bytes)
    {
        var writer = new MessagePackWriter(output);
        WriteOutput(ref writer, stream, bytes);
        writer.Flush();
    }

    public static void Write(IBufferWriter<byte> output, Message message)
    {
        var writer = new MessagePackWriter(output);
        switch (message)
        {
            case ItemMessage item:
                WriteItem(ref writer, item.Id, item.Payload.Span);
                break;
            case ItemsMessage batch:
                writer.WriteArrayHeader(2 + (2 * batch.Items.Count));
                writer.Write((int)MessageKind.Items);
                writer.Write(batch.Items.Count);
                foreach (ItemMessage one in batch.Items)
                {
                    writer.Write(one.Id);
                    writer.WriteRaw(one.Payload.Span);
                }

                break;
            case ResultsMessage batch:
                writer.WriteArrayHeader(2 + (3 * batch.Results.Length));
                writer.Write((int)MessageKind.Results);
                writer.Write(batch.Results.Length);
                foreach (ResultEntry one in batch.Results)
                {
                    WriteResultEntry(ref writer, one.Id, one.ElapsedTicks);
                    writer.WriteRaw(one.Payload.Span);
                }

                break;
            case ResultMessage result:
                writer.WriteArrayHeader(4);
                writer.Write((int)MessageKind.Result);
                writer.Write(result.Id);
                writer.Write(result.ElapsedTicks);
                writer.WriteRaw(result.Payload.Span);
                break;
            case FailureMessage failure:
                writer.WriteArrayHeader(7);
                writer.Write((int)MessageKind.Failure);
                writer.Write(failure.Id);
                writer.Write(failure.ElapsedTicks);
                writer.Write((int)failure.Failure);
                WriteError(ref writer, failure.Error);
                break;
            case StartMessage start:
                writer.WriteArrayHeader(11);
                writer.Write((int)MessageKind.Start);
                writer.Write(start.ProtocolVersion);
                writer.Write(start.WorkerNumber);
                writer.Write(start.MaxFrameSize);
                writer.Write(start.ItemTimeoutTicks);
                writer.Write(start.MaxItems);
                writer.Write(start.MaxMemoryBytes);
                writer.Write(start.MaxAgeTicks);
                writer.Write(start.HeartbeatIntervalTicks);
                writer.Write(start.HeartbeatTimeoutTicks);
                writer.Write(start.MaxConcurrentItems);
                break;
            case GoodbyeMessage goodbye:
                writer.WriteArrayHeader(2);
                writer.Write((int)MessageKind.Goodbye);
                writer.Write(goodbye.ExitCode);
                break;
            case PingMessage:
                writer.WriteArrayHeader(1);
                writer.Write((int)MessageKind.Ping);
                break;
            case PongMessage:
                writer.WriteArrayHeader(1);
                writer.Write((int)MessageKind.Pong);
                break;
            case RetiringMessage retiring:
                writer.WriteArrayHeader(2);
                writer.Write((int)MessageKind.Retiring);
                writer.Write((int)retiring.Reason);
                break;
            case ReadyMessage ready:
                writer.WriteArrayHeader(5);
                writer.Write((int)MessageKind.Ready);
                writer.Write(ready.ProtocolVersion);
                writer.Write(ready.ProcessId);
                writer.Write(ready.Host);
                writer.Write(ready.LaunchId);
                break;
            case StopMessage:
                writer.WriteArrayHeader(1);
                writer.Write((int)MessageKind.Stop);
                break;
            case OutputMessage chunk:
                WriteOutput(ref writer, chunk.Stream, chunk.Bytes.Span);
                break;
            case FatalMessage fatal:
                writer.WriteArrayHeader(5);
                writer.Write((int)MessageKind.Fatal);
                writer.Write(fatal.Stage);
                WriteError(ref writer, fatal.Error);
                break;
            default:
                throw new ArgumentException($"unknown message type {message.GetType().Name}", nameof(message));
        }

        writer.Flush();
    }

    private static void WriteOutput(ref MessagePackWriter writer, StandardStream stream, ReadOnlySpan<byte> bytes)
    {
        writer.WriteArrayHeader(3);
        writer.Write((int)MessageKind.Output);
        writer.Write((int)stream);
        writer.Write(bytes);
    }

    private static void WriteItem(ref MessagePackWriter writer, long id, ReadOnlySpan<byte> payload)
    {
        writer.WriteArrayHeader(3);
        writer.Write((int)MessageKind.Item);
        writer.Write(id);
        writer.WriteRaw(payload);
    }

    /// <summary>
    /// Writes a Result frame whose payload is serialized straight into the frame, the worker's hot
    /// path. On a serialization error or an oversized result the frame is dropped and the error rethrown.
    /// </summary>
    public static void WriteResult<T>(Framing.FrameWriter frames, long id, long elapsedTicks, T value, PayloadWriter<T> payload)
    {
        var writer = new MessagePackWriter(frames.BeginFrame());
        try
        {
            writer.WriteArrayHeader(4);
            writer.Write((int)MessageKind.Result);
            writer.Write(id);
            writer.Write(elapsedTicks);
            payload(ref writer, value);
            writer.Flush();
        }
        catch
        {
            frames.AbortFrame();
            throw;
        }

        frames.EndFrame();
    }

    /// <summary>
    /// Decodes one frame. Payloads in the returned message point into <paramref name="frame"/>
    /// unless <paramref name="ownPayloads"/> asks for copies, which a reader reusing its buffer needs.
    /// </summary>
    /// <exception cref="ProtocolException">The frame is not a well-formed message.</exception>
    public static Message Read(ReadOnlyMemory<byte> frame, bool ownPayloads = false) => Read(frame, ownPayloads, lease: null);

    /// <summary>
    /// Decodes an Items or Results frame that lives in <paramref name="lease"/>'s pooled array:
    /// each item of an Items frame, or the whole of a Results frame, holds the lease until released.
    /// </summary>
    /// <exception cref="ProtocolException">The frame is not a well-formed Items or Results message.</exception>
    public static Message ReadLeased(ReadOnlyMemory<byte> frame, Framing.FrameLease lease) => Read(frame, ownPayloads: false, lease);

    /// <summary>Whether <paramref name="frame"/> holds an Items or Results message, by its first bytes; a malformed frame is not.</summary>
    public static bool IsBatch(ReadOnlyMemory<byte> frame)
    {
        var reader = new MessagePackReader(frame);
        try
        {
            return reader.ReadArrayHeader() >= 1 && (MessageKind)reader.ReadInt32() is MessageKind.Items or MessageKind.Results;
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or InvalidOperationException or OverflowException)
        {
            // Read says what is wrong with it.
            return false;
        }
    }

    private static Message Read(ReadOnlyMemory<byte> frame, bool ownPayloads, Framing.FrameLease? lease)
    {
        var reader = new MessagePackReader(frame);
        int kind = -1;
        try
        {
            int count = reader.ReadArrayHeader();
            if (count < 1)
            {
                throw new ProtocolException("malformed message: empty array");
            }

            kind = reader.ReadInt32();
            if ((MessageKind)kind is MessageKind.Items or MessageKind.Results)
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
                MessageKind.Item => new ItemMessage(reader.ReadInt64(), RawValue(ref reader, ownPayloads)),
                MessageKind.Result => new ResultMessage(reader.ReadInt64(), reader.ReadInt64(), RawValue(ref reader, ownPayloads)),
                MessageKind.Failure => new FailureMessage(reader.ReadInt64(), reader.ReadInt64(), ReadEnum<FailureKind>(ref reader, kind), ReadError(ref reader)),
                MessageKind.Start => new StartMessage(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt32()),
                MessageKind.Goodbye => new GoodbyeMessage(reader.ReadInt32()),
                MessageKind.Ping => PingMessage.Instance,
                MessageKind.Pong => PongMessage.Instance,
                MessageKind.Retiring => new RetiringMessage(ReadEnum<RecycleReason>(ref reader, kind)),
                MessageKind.Ready => new ReadyMessage(reader.ReadInt32(), reader.ReadInt32(), reader.ReadString(), reader.ReadString()),
                MessageKind.Stop => StopMessage.Instance,
                MessageKind.Output => new OutputMessage(ReadEnum<StandardStream>(ref reader, kind), Bytes(ref reader, ownPayloads, kind)),
                _ => new FatalMessage(reader.ReadString() ?? "", ReadError(ref reader)),
            };

            if (!reader.End)
            {
                throw new ProtocolException($"malformed {Name(kind)} message: {frame.Length - reader.Consumed} bytes after its end");
            }

            return message;
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or InvalidOperationException or OverflowException)
        {
            // These are what MessagePackReader throws for bytes of the wrong type or too few bytes:
            // all of them mean the peer sent something that is not our protocol.
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

        var reader = new MessagePackReader(frame);
        reader.ReadArrayHeader();
        reader.ReadInt32();
        int count = reader.ReadInt32();
        int perEntry = (MessageKind)kind == MessageKind.Items ? 2 : 3;

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
                items[i] = new ItemMessage(reader.ReadInt64(), RawValue(ref reader, copy: false)) { Lease = lease };
            }

            message = new ItemsMessage(items);
        }
        else
        {
            var results = new ResultEntry[count];
            for (int i = 0; i < count; i++)
            {
                results[i] = new ResultEntry(reader.ReadInt64(), reader.ReadInt64(), RawValue(ref reader, copy: false));
            }

            message = new ResultsMessage(results) { Lease = lease };
        }

        if (!reader.End)
        {
            throw new ProtocolException($"malformed {Name(kind)} message: {frame.Length - reader.Consumed} bytes after its end");
        }

        // Only now, with the whole frame accepted: each item holds the lease, or the results hold it once.
        lease?.Hold((MessageKind)kind == MessageKind.Items ? count : 1);
        return message;
    }

    private static int FieldCount(int kind) => (MessageKind)kind switch
    {
        MessageKind.Item => 3,
        MessageKind.Result => 4,
        MessageKind.Failure => 7,
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

    private static T ReadEnum<T>(ref MessagePackReader reader, int kind)
        where T : struct, Enum
    {
        int value = reader.ReadInt32();
        return Enum.IsDefined(typeof(T), value)
            ? (T)(object)value
            : throw new ProtocolException($"malformed {Name(kind)} message: {value} is not a {typeof(T).Name}");
    }

    private static ReadOnlyMemory<byte> RawValue(ref MessagePackReader reader, bool copy)
    {
        ReadOnlySequence<byte> raw = reader.ReadRaw();
        return raw.IsSingleSegment && !copy ? raw.First : raw.ToArray();
    }

    /// <summary>A MessagePack bin, as a slice of the frame unless <paramref name="copy"/> (or a split sequence) asks for an array of its own.</summary>
    private static ReadOnlyMemory<byte> Bytes(ref MessagePackReader reader, bool copy, int kind)
    {
        ReadOnlySequence<byte> bytes = reader.ReadBytes() ?? throw new ProtocolException($"malformed {Name(kind)} message: nil where bytes belong");
        return bytes.IsSingleSegment && !copy ? bytes.First : bytes.ToArray();
    }

    private static void WriteError(ref MessagePackWriter writer, RemoteError error)
    {
        writer.Write(error.Type);
        writer.Write(error.Message);
        writer.Write(error.StackTrace);
    }

    private static RemoteError ReadError(ref MessagePackReader reader) =>
        new(reader.ReadString() ?? "", reader.ReadString() ?? "", reader.ReadString() ?? "");

    private static string Name(int kind) =>
        Enum.IsDefined(typeof(MessageKind), kind) ? ((MessageKind)kind).ToString() : "unknown";
}
