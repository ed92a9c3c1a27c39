namespace Divvy.Protocol;

/// <summary>Finish the item in hand, perform no more, exit with code 0.</summary>
internal sealed record StopMessage : Message
{
    public static readonly StopMessage Instance = new();

    public override MessageKind Kind => MessageKind.Stop;
}
