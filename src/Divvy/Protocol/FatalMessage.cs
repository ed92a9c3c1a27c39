namespace Divvy.Protocol;

/// <summary>The worker's last words before it exits on its own: where it failed and why.</summary>
internal sealed record FatalMessage(string Stage, RemoteError Error) : Message
{
    public override MessageKind Kind => MessageKind.Fatal;
}
