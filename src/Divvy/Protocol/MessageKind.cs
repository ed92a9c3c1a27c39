namespace Divvy.Protocol;

/// <summary>The first element of every message; the numbers are part of the wire format.</summary>
internal enum MessageKind
{
    /// <summary>Master to worker, first frame: protocol version and worker identity.</summary>
    Start = 1,

    /// <summary>Worker to master: booted, hooks run, ready for items.</summary>
    Ready = 2,

    /// <summary>Master to worker: one work item.</summary>
    Item = 3,

    /// <summary>Worker to master: an item performed, with its result.</summary>
    Result = 4,

    /// <summary>Worker to master: an item whose Perform threw.</summary>
    Failure = 5,

    /// <summary>Master to worker: finish the current item, take no more, exit.</summary>
    Stop = 6,

    /// <summary>Worker to master: the worker cannot go on (its boot hook threw, versions differ).</summary>
    Fatal = 7,

    /// <summary>Master to worker: are you alive? Answered from the worker's reader thread, even mid-item.</summary>
    Ping = 8,

    /// <summary>Worker to master: the answer to <see cref="Ping"/>.</summary>
    Pong = 9,

    /// <summary>Worker to master: recycling (item count, memory or age limit reached); it performs nothing more and exits.</summary>
    Retiring = 10,

    /// <summary>
    /// Worker to master, last frame on a connection that is not a local pipe: the worker is leaving
    /// on its own, with this exit code. Without it, a closed connection is a lost one.
    /// </summary>
    Goodbye = 11,

    /// <summary>Master to worker: several items, to be performed in order (what <see cref="Item"/> is for one).</summary>
    Items = 12,

    /// <summary>Worker to master: several results (what <see cref="Result"/> is for one).</summary>
    Results = 13,

    /// <summary>
    /// Worker to master, over TCP only: bytes the worker wrote to its stdout or stderr, which the
    /// master writes to its own (a local worker's go through pipes of their own instead).
    /// </summary>
    Output = 14,

    /// <summary>
    /// Master to worker: what <see cref="Items"/> is, with each item's W3C trace context (its
    /// attempt's <c>traceparent</c> and <c>tracestate</c>). Sent only while something listens to
    /// Divvy's activity source; otherwise items go as <see cref="Items"/>, byte for byte as before.
    /// </summary>
    TracedItems = 15,
}
