using Divvy.Transport.Tcp;

namespace Divvy.Worker;

/// <summary>
/// A worker's open way to its master: the streams each way, the master's pid when it is the parent
/// to watch (pipes), or the TCP session whose heartbeat settings replace that watch.
/// </summary>
internal sealed record WorkerLink(Stream Down, Stream Up, int? MasterProcessId, TcpSession? Session)
{
    /// <summary>The exit code and the one line a worker gives when its master cannot be reached or refuses it.</summary>
    public static int ExitCodeFor(HandshakeFailure failure) => failure switch
    {
        HandshakeFailure.Full => WorkerExitCodes.SlotsFull,
        HandshakeFailure.CannotConnect => WorkerExitCodes.CannotConnect,
        HandshakeFailure.Silent or HandshakeFailure.Closed => WorkerExitCodes.MasterGone,
        _ => WorkerExitCodes.Refused,
    };
}
