namespace Divvy.Protocol;

/// <summary>
/// Bytes a TCP worker wrote to its stdout or stderr, for the master to write to its own. Not
/// necessarily whole lines: the master reassembles lines per worker and stream.
/// </summary>
internal sealed record OutputMessage(StandardStream Stream, ReadOnlyMemory<byte> Bytes) : Message
{
    public override MessageKind Kind => MessageKind.Output;
}
