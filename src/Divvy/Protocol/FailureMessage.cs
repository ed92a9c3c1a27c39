namespace Divvy.Protocol;

/// <summary>
/// An item whose <c>Perform</c> threw or timed out; the worker itself carries on. <paramref name="Result"/>:
/// the serialized result the attempt carried (<see cref="AttemptFailedException.Result"/>), or null.
/// </summary>
internal sealed record FailureMessage(long Id, long ElapsedTicks, FailureKind Failure, RemoteError Error, byte[]? Result = null) : Message
{
    public override MessageKind Kind => MessageKind.Failure;
}
