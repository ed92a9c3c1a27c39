namespace Divvy.Protocol;

/// <summary>The master's heartbeat probe.</summary>
internal sealed record PingMessage : Message
{
    public static readonly PingMessage Instance = new();

    public override MessageKind Kind => MessageKind.Ping;
}
