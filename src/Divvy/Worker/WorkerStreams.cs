using Divvy.Launching;
using Divvy.Transport.Tcp;

namespace Divvy.Worker;

/// <summary>
/// The one place a worker turns its endpoint into the streams it reads items from and writes
/// results to. A new kind of endpoint is one more branch here.
/// </summary>
internal static class WorkerStreams
{
    /// <summary>
    /// Opens the way to the master: two inherited pipes, with the master's pid to watch as the parent
    /// (a backstop for a master that dies without closing them); or a TCP connection, authenticated.
    /// </summary>
    /// <exception cref="HandshakeException">TCP: the master cannot be reached, refuses this worker, or has no free slot.</exception>
    public static async Task<WorkerLink> OpenAsync(WorkerEndpoint endpoint)
    {
        switch (endpoint)
        {
            case WorkerEndpoint.Pipes pipes:
                return ForPipes(pipes);
            case WorkerEndpoint.Tcp tcp:
                TcpSession session = await TcpSession.ConnectAsync(tcp.Host, tcp.Port, tcp.Token).ConfigureAwait(false);
                return ForSession(session);
            default:
                throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint.GetType().Name, "a worker endpoint this build cannot open");
        }
    }

    /// <summary>The link over two inherited pipes, with the master's pid to watch as the parent.</summary>
    public static WorkerLink ForPipes(WorkerEndpoint.Pipes pipes)
    {
        (Stream down, Stream up) = PipeEnds.Open(pipes);
        return new WorkerLink(down, up, pipes.MasterProcessId, null);
    }

    /// <summary>The link over an authenticated TCP session: one stream both ways.</summary>
    public static WorkerLink ForSession(TcpSession session) =>
        new(session.Connection.Stream, session.Connection.Stream, null, session);
}
