using Divvy.Protocol;
using Divvy.Transport;

namespace Divvy.Launching;

/// <summary>One launched worker, as its launcher holds it: how to reach it, how it ended, how to end it.</summary>
internal interface IWorkerHandle : IAsyncDisposable
{
    /// <summary>Which worker this is; the process id where there is a local one.</summary>
    WorkerInfo Info { get; }

    /// <summary>The worker's channel, once connected. Already complete for a local process on pipes.</summary>
    Task<IWorkerChannel> Connected { get; }

    /// <summary>How the worker ended; completes once it is gone and its diagnostics are read.</summary>
    Task<WorkerEnd> Ended { get; }

    /// <summary>The last lines the worker wrote on its diagnostic stream (stderr), to explain a death.</summary>
    IReadOnlyList<string> DiagnosticTail { get; }

    /// <summary>
    /// How long the worker may live from when it is ready, when its engine ends it then (a Slurm
    /// walltime); <c>null</c> for no such limit. The scheduler stops giving it items it could not
    /// finish in time.
    /// </summary>
    TimeSpan? Walltime => null;

    /// <summary>
    /// The worker said it is ready, and who it is: a handle that did not start the process itself
    /// learns its process id and host here, and what its launcher calls it.
    /// </summary>
    void OnReady(ReadyMessage ready)
    {
    }

    /// <summary>Ends the worker now, and everything it started. Safe to call more than once, and after it ended.</summary>
    /// <param name="reason">Why: a launcher that can tell the worker passes it on; a local process is killed the same way for every reason.</param>
    void Kill(KillReason reason);
}
