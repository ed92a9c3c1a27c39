namespace Divvy.Protocol;

/// <summary>The worker reached a recycling limit after an item; items it still holds were not started.</summary>
internal sealed record RetiringMessage(RecycleReason Reason) : Message
{
    public override MessageKind Kind => MessageKind.Retiring;
}
