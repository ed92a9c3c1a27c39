namespace Divvy.Protocol;

/// <summary>The worker's heartbeat answer.</summary>
internal sealed record PongMessage : Message
{
    public static readonly PongMessage Instance = new();

    public override MessageKind Kind => MessageKind.Pong;
}
