namespace Divvy.Protocol;

/// <summary>
/// One work item. <paramref name="Payload"/> is the item's own MessagePack value, embedded as is,
/// so the protocol never needs to know the item type.
/// </summary>
internal sealed record ItemMessage(long Id, ReadOnlyMemory<byte> Payload) : Message
{
    public override MessageKind Kind => MessageKind.Item;

    /// <summary>The pooled frame the payload points into, if any: released once the item is performed.</summary>
    public Framing.FrameLease? Lease { get; init; }

    /// <summary>The attempt's W3C <c>traceparent</c>, when the master traces it (a <see cref="MessageKind.TracedItems"/> frame); otherwise <c>null</c>.</summary>
    public string? TraceParent { get; init; }

    /// <summary>The attempt's W3C <c>tracestate</c>, if it has one.</summary>
    public string? TraceState { get; init; }
}
