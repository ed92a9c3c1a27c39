namespace Divvy.Protocol;

/// <summary>
/// Several items performed, in one frame, in the order the worker finished them: a worker working
/// through a queue of fast items sends them together. On the wire a flat array: kind, count, then
/// each result's id, duration in ticks and MessagePack value embedded as is. Decoded into one array
/// of entries, with no object per result.
/// </summary>
internal sealed record ResultsMessage(ResultEntry[] Results) : Message
{
    public override MessageKind Kind => MessageKind.Results;

    /// <summary>The pooled frame the payloads point into, if any: released once the results are read.</summary>
    public Framing.FrameLease? Lease { get; init; }
}
