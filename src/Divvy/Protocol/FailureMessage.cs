namespace Divvy.Protocol;

/// <summary>An item whose <c>Perform</c> threw or timed out; the worker itself carries on.</summary>
internal sealed record FailureMessage(long Id, long ElapsedTicks, FailureKind Failure, RemoteError Error) : Message
{
    public override MessageKind Kind => MessageKind.Failure;
}
