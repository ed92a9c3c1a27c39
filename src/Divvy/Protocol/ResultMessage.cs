namespace Divvy.Protocol;

/// <summary>An item performed; <paramref name="Payload"/> is the result's MessagePack value.</summary>
internal sealed record ResultMessage(long Id, long ElapsedTicks, ReadOnlyMemory<byte> Payload) : Message
{
    public override MessageKind Kind => MessageKind.Result;
}
