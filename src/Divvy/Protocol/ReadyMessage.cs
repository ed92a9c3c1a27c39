namespace Divvy.Protocol;

/// <summary>The worker's answer once its <c>AfterSpawn</c> hook has run.</summary>
internal sealed record ReadyMessage(int ProtocolVersion, int ProcessId) : Message
{
    public override MessageKind Kind => MessageKind.Ready;
}
