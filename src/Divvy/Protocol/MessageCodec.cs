using System.Buffers;
using Divvy.Jobs;
using MessagePack;

namespace Divvy.Protocol;

/// <summary>
/// Encodes messages as MessagePack arrays whose first element is the <see cref="MessageKind"/>.
/// Hand-written rather than attribute-driven: the hot messages (items and results) embed the
/// user's payload without copying it into a nested binary.
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
                writer.WriteArrayHeader(8);
                writer.Write((int)MessageKind.Failure);
                writer.Write(failure.Id);
                writer.Write(failure.ElapsedTicks);
                writer.Write((int)failure.Failure);
                WriteError(ref writer, failure.Error);
                if (failure.Result is { } carried)
                {
                    // The result's own MessagePack value, as a Result message embeds it.
                    writer.WriteRaw(carried);
                }
                else
                {
                    writer.WriteNil();
                }

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
