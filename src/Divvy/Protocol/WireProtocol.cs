namespace Divvy.Protocol;

/// <summary>Constants both ends of a worker channel must agree on.</summary>
internal static class WireProtocol
{
    /// <summary>
    /// Bumped whenever a message changes shape. The master sends it in <see cref="StartMessage"/>
    /// and the worker echoes its own in <see cref="ReadyMessage"/>; either side refuses a mismatch.
    /// 2: Start carries the heartbeat settings; Goodbye.
    /// 3: Start carries how many items the worker performs at once.
    /// 4: Items and Results, several per frame.
    /// 5: Output (a TCP worker's stdout and stderr).
    /// 6: Ready carries the worker's host and its launch id.
    /// 7: Failure carries the result the attempt produced (<see cref="AttemptFailedException"/>), or nil.
    /// 8: TracedItems (Items with each item's trace context), sent only while tracing.
    /// </summary>
    public const int Version = 8;
}
