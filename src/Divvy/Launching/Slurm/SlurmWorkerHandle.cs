using Divvy.Transport;

namespace Divvy.Launching.Slurm;

/// <summary>A worker Slurm starts: the TCP slot it dials into, and the walltime Slurm gives it.</summary>
internal sealed class SlurmWorkerHandle(IWorkerHandle slot, TimeSpan? walltime) : IWorkerHandle
{
    public WorkerInfo Info => slot.Info;

    public Task<IWorkerChannel> Connected => slot.Connected;

    public Task<WorkerEnd> Ended => slot.Ended;

    public IReadOnlyList<string> DiagnosticTail => slot.DiagnosticTail;

    public TimeSpan? Walltime => walltime;

    public void Kill(KillReason reason) => slot.Kill(reason);

    public ValueTask DisposeAsync() => slot.DisposeAsync();
}
