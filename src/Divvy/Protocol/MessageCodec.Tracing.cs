using System.Buffers;
using Divvy.Jobs;

namespace Divvy.Protocol;

/// <summary>
/// TracedItems frames: an Items frame whose entries carry their attempt's W3C trace context.
/// On the wire a flat array: kind, count, then each item's id, <c>traceparent</c> (or nil),
/// <c>tracestate</c> (or nil) and its MessagePack value embedded as is.
/// </summary>
internal static partial class MessageCodec
{
    /// <summary>Fields of one TracedItems entry.</summary>
    private const int TracedEntryFields = 4;

    private static void WriteTracedItems(IBufferWriter<byte> output, IReadOnlyList<DispatchedItem> items, int start, int count)
    {
        Header(output, 2 + (TracedEntryFields * count), MessageKind.TracedItems);
        WireWriter.Integer(output, count);
        for (int i = start; i < start + count; i++)
        {
            DispatchedItem item = items[i];
            WriteTracedEntry(output, item.Id, item.Trace?.TraceParent, item.Trace?.TraceState, item.Payload.Span);
        }
    }

    private static void WriteTracedItems(IBufferWriter<byte> output, IReadOnlyList<ItemMessage> items)
    {
        Header(output, 2 + (TracedEntryFields * items.Count), MessageKind.TracedItems);
        WireWriter.Integer(output, items.Count);
        foreach (ItemMessage item in items)
        {
            WriteTracedEntry(output, item.Id, item.TraceParent, item.TraceState, item.Payload.Span);
        }
    }

    private static void WriteTracedEntry(IBufferWriter<byte> output, long id, string? traceParent, string? traceState, ReadOnlySpan<byte> payload)
    {
        WireWriter.Integer(output, id);
        WireWriter.String(output, traceParent);
        WireWriter.String(output, traceState);
        WireWriter.Raw(output, payload);
    }

    /// <summary>Whether any of the items carries a trace context (no LINQ: the codec runs in every worker).</summary>
    private static bool IsTraced(IReadOnlyList<ItemMessage> items)
    {
        foreach (ItemMessage item in items)
        {
            if (item.TraceParent is not null)
            {
                return true;
            }
        }

        return false;
    }

    private static ItemMessage ReadTracedEntry(ReadOnlyMemory<byte> frame, ref WireReader reader, Framing.FrameLease? lease)
    {
        long id = reader.ReadInt64();
        string? traceParent = reader.ReadString();
        string? traceState = reader.ReadString();
        return new ItemMessage(id, frame[reader.ReadRaw()]) { Lease = lease, TraceParent = traceParent, TraceState = traceState };
    }
}
