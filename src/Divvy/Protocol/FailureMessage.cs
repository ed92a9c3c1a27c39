namespace Divvy.Protocol;

/// <summary>An item whose <c>Perform</c> threw; the worker itself carries on.</summary>
internal sealed record FailureMessage(long Id, long ElapsedTicks, RemoteError Error) : Message
{
    public override MessageKind Kind => MessageKind.Failure;
}
