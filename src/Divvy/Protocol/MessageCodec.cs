using System.Buffers;
using Divvy.Jobs;
using MessagePack;

namespace Divvy.Protocol;

/// <summary>
/// Encodes messages as MessagePack arrays whose first element is the <see cref="MessageKind"/>.
/// Hand-written rather than attribute-driven: the hot messages (items and results) embed the
/// user's payload without copying it into a nested binary. The protocol's own fields go through
/// <see cref="WireWriter"/> and <see cref="WireReader"/>, not MessagePack's reader and writer, so
/// that no process JIT-compiles a serializer just to say Start, Ready or Stop (only the job's own
/// values use MessagePack).
/// </summary>
internal static partial class MessageCodec
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
        for (int i = start; i < start + count; i++)
        {
            if (items[i].Trace?.TraceParent is not null)
            {
                // Traced: a frame of another kind. Untraced frames stay byte for byte what they were.
                WriteTracedItems(output, items, start, count);
                return;
            }
        }

        WireWriter.ArrayHeader(output, 2 + (2 * count));
        WireWriter.Integer(output, (int)MessageKind.Items);
        WireWriter.Integer(output, count);
        for (int i = start; i < start + count; i++)
        {
            WireWriter.Integer(output, items[i].Id);
            WireWriter.Raw(output, items[i].Payload.Span);
        }
    }

    /// <summary>The bytes an item takes in an Items or TracedItems frame, at most: its payload, <see cref="EntryOverhead"/> and its trace context.</summary>
    public static int EntrySize(DispatchedItem item) => item.Payload.Length + EntryOverhead + (item.Trace?.WireBytes ?? 0);

    /// <summary>Writes the id and duration that start one entry of a Results frame; the result's value follows.</summary>
    public static void WriteResultEntry(IBufferWriter<byte> output, long id, long elapsedTicks)
    {
        WireWriter.Integer(output, id);
        WireWriter.Integer(output, elapsedTicks);
    }

    /// <summary>
    /// Writes an Output frame's body straight from <paramref name="bytes"/>: the worker's output
    /// path, with no message object or copy per chunk. <see cref="OutputOverhead"/> bytes at most go around them.
    /// </summary>
    public static void WriteOutput(IBufferWriter<byte> output, StandardStream stream, ReadOnlySpan<byte> bytes)
    {
        WireWriter.ArrayHeader(output, 3);
        WireWriter.Integer(output, (int)MessageKind.Output);
        WireWriter.Integer(output, (int)stream);
        WireWriter.Bytes(output, bytes);
    }

    public static void Write(IBufferWriter<byte> output, Message message)
    {
        switch (message)
        {
            case ItemMessage item:
                Header(output, 3, MessageKind.Item);
                WireWriter.Integer(output, item.Id);
                WireWriter.Raw(output, item.Payload.Span);
                break;
            case ItemsMessage batch when IsTraced(batch.Items):
                WriteTracedItems(output, batch.Items);
                break;
            case ItemsMessage batch:
                Header(output, 2 + (2 * batch.Items.Count), MessageKind.Items);
                WireWriter.Integer(output, batch.Items.Count);
                foreach (ItemMessage one in batch.Items)
                {
                    WireWriter.Integer(output, one.Id);
                    WireWriter.Raw(output, one.Payload.Span);
                }

                break;
            case ResultsMessage batch:
                Header(output, 2 + (3 * batch.Results.Length), MessageKind.Results);
                WireWriter.Integer(output, batch.Results.Length);
                foreach (ResultEntry one in batch.Results)
                {
                    WriteResultEntry(output, one.Id, one.ElapsedTicks);
                    WireWriter.Raw(output, one.Payload.Span);
                }

                break;
            case ResultMessage result:
                Header(output, 4, MessageKind.Result);
                WriteResultEntry(output, result.Id, result.ElapsedTicks);
                WireWriter.Raw(output, result.Payload.Span);
                break;
            case FailureMessage failure:
                Header(output, 8, MessageKind.Failure);
                WireWriter.Integer(output, failure.Id);
                WireWriter.Integer(output, failure.ElapsedTicks);
                WireWriter.Integer(output, (int)failure.Failure);
                WriteError(output, failure.Error);
                if (failure.Result is { } carried)
                {
                    // The result's own MessagePack value, as a Result message embeds it.
                    WireWriter.Raw(output, carried);
                }
                else
                {
                    WireWriter.Nil(output);
                }

                break;
            case StartMessage start:
                Header(output, 11, MessageKind.Start);
                WireWriter.Integer(output, start.ProtocolVersion);
                WireWriter.Integer(output, start.WorkerNumber);
                WireWriter.Integer(output, start.MaxFrameSize);
                WireWriter.Integer(output, start.ItemTimeoutTicks);
                WireWriter.Integer(output, start.MaxItems);
                WireWriter.Integer(output, start.MaxMemoryBytes);
                WireWriter.Integer(output, start.MaxAgeTicks);
                WireWriter.Integer(output, start.HeartbeatIntervalTicks);
                WireWriter.Integer(output, start.HeartbeatTimeoutTicks);
                WireWriter.Integer(output, start.MaxConcurrentItems);
                break;
            case GoodbyeMessage goodbye:
                Header(output, 2, MessageKind.Goodbye);
                WireWriter.Integer(output, goodbye.ExitCode);
                break;
            case PingMessage:
                Header(output, 1, MessageKind.Ping);
                break;
            case PongMessage:
                Header(output, 1, MessageKind.Pong);
                break;
            case RetiringMessage retiring:
                Header(output, 2, MessageKind.Retiring);
                WireWriter.Integer(output, (int)retiring.Reason);
                break;
            case ReadyMessage ready:
                Header(output, 5, MessageKind.Ready);
                WireWriter.Integer(output, ready.ProtocolVersion);
                WireWriter.Integer(output, ready.ProcessId);
                WireWriter.String(output, ready.Host);
                WireWriter.String(output, ready.LaunchId);
                break;
            case StopMessage:
                Header(output, 1, MessageKind.Stop);
                break;
            case OutputMessage chunk:
                WriteOutput(output, chunk.Stream, chunk.Bytes.Span);
                break;
            case FatalMessage fatal:
                Header(output, 5, MessageKind.Fatal);
                WireWriter.String(output, fatal.Stage);
                WriteError(output, fatal.Error);
                break;
            default:
                throw new ArgumentException($"unknown message type {message.GetType().Name}", nameof(message));
        }
    }

    /// <summary>
    /// Writes a Result frame whose payload is serialized straight into the frame, the worker's hot
    /// path. On a serialization error or an oversized result the frame is dropped and the error rethrown.
    /// </summary>
    public static void WriteResult<T>(Framing.FrameWriter frames, long id, long elapsedTicks, T value, PayloadWriter<T> payload)
    {
        IBufferWriter<byte> output = frames.BeginFrame();
        try
        {
            Header(output, 4, MessageKind.Result);
            WriteResultEntry(output, id, elapsedTicks);

            // The value is the job's: MessagePack and the job's formatters write it.
            var writer = new MessagePackWriter(output);
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

    /// <summary>A message's array header and its kind, the first field.</summary>
    private static void Header(IBufferWriter<byte> output, int fields, MessageKind kind)
    {
        WireWriter.ArrayHeader(output, fields);
        WireWriter.Integer(output, (int)kind);
    }

    private static void WriteError(IBufferWriter<byte> output, RemoteError error)
    {
        WireWriter.String(output, error.Type);
        WireWriter.String(output, error.Message);
        WireWriter.String(output, error.StackTrace);
    }

    private static RemoteError ReadError(ref WireReader reader) =>
        new(reader.ReadString() ?? "", reader.ReadString() ?? "", reader.ReadString() ?? "");

    private static string Name(int kind) =>
        Enum.IsDefined(typeof(MessageKind), kind) ? ((MessageKind)kind).ToString() : "unknown";
}
