namespace Divvy.Protocol;

/// <summary>The worker leaves on its own (after Stop, retiring, or a fatal error) and closes its connection.</summary>
internal sealed record GoodbyeMessage(int ExitCode) : Message
{
    public override MessageKind Kind => MessageKind.Goodbye;
}
