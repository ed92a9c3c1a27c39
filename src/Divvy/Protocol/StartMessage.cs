namespace Divvy.Protocol;

/// <summary>The master's first frame to a new worker.</summary>
internal sealed record StartMessage(int ProtocolVersion, int WorkerNumber, int MaxFrameSize) : Message
{
    public override MessageKind Kind => MessageKind.Start;
}
