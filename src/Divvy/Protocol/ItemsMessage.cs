namespace Divvy.Protocol;

/// <summary>
/// Several work items in one frame, in the order they are to be performed: what one scheduler step
/// hands a worker. On the wire a flat array: kind, count, then each item's id and its MessagePack
/// value embedded as is.
/// </summary>
internal sealed record ItemsMessage(IReadOnlyList<ItemMessage> Items) : Message
{
    public override MessageKind Kind => MessageKind.Items;
}
