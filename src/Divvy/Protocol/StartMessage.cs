namespace Divvy.Protocol;

/// <summary>
/// The master's first frame to a new worker: who it is and the limits it lives by. Zero means
/// "no limit" for the timeout and the three recycling limits. The heartbeat settings tell a worker
/// that cannot watch its master's process (a TCP worker) how long a silent master may stay silent;
/// zero means "as agreed when the connection was set up". <see cref="MaxConcurrentItems"/> is how
/// many items the worker performs at once (1: one at a time, in order).
/// </summary>
internal sealed record StartMessage(int ProtocolVersion, int WorkerNumber, int MaxFrameSize, long ItemTimeoutTicks = 0, long MaxItems = 0, long MaxMemoryBytes = 0, long MaxAgeTicks = 0, long HeartbeatIntervalTicks = 0, long HeartbeatTimeoutTicks = 0, int MaxConcurrentItems = 1) : Message
{
    public override MessageKind Kind => MessageKind.Start;
}
