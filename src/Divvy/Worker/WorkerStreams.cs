using Divvy.Launching;

namespace Divvy.Worker;

/// <summary>
/// The one place a worker turns its endpoint into the streams it reads items from and writes
/// results to. A new kind of endpoint is one more branch here.
/// </summary>
internal static class WorkerStreams
{
    /// <summary>
    /// Opens the (down, up) streams to the master, and the master's pid when the worker should
    /// watch it as its parent (a backstop for a master that dies without closing the streams).
    /// </summary>
    public static (Stream Down, Stream Up, int? MasterProcessId) Open(WorkerEndpoint endpoint)
    {
        switch (endpoint)
        {
            case WorkerEndpoint.Pipes pipes:
                (Stream down, Stream up) = PipeEnds.Open(pipes);
                return (down, up, pipes.MasterProcessId);
            default:
                throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint.GetType().Name, "a worker endpoint this build cannot open");
        }
    }
}
