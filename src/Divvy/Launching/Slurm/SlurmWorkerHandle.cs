using System.Diagnostics;
using Divvy.Protocol;
using Divvy.Transport;

namespace Divvy.Launching.Slurm;

/// <summary>
/// A worker Slurm starts: the TCP slot it dials into, plus what Slurm knows about it. When its
/// connection drops without a Goodbye, Slurm is asked how it ended before the scheduler judges it:
/// cancelled, out of walltime, its node failed or preempted is a lost worker (not the item's
/// fault); killed by a signal or an exit code of its own is a crash (the item's). Its walltime is
/// what Slurm says it has left when it is ready, or, when Slurm cannot say, the time limit asked for.
/// </summary>
internal sealed class SlurmWorkerHandle : IWorkerHandle
{
    private readonly IWorkerHandle _slot;
    private readonly TimeSpan? _requested;
    private readonly ISlurmWorkerSource _source;
    private readonly Task<WorkerEnd> _ended;
    private string? _launchId;
    private long _walltimeTicks = -1;
    private volatile bool _killed;

    /// <param name="slot">The TCP slot the worker dials into.</param>
    /// <param name="requested">The time limit the run asked Slurm for, if any.</param>
    /// <param name="source">Where to ask about a worker of this run, by its launch id.</param>
    public SlurmWorkerHandle(IWorkerHandle slot, TimeSpan? requested, ISlurmWorkerSource source)
    {
        _slot = slot;
        _requested = requested;
        _source = source;
        _ended = ExplainEndAsync(slot.Ended);
    }

    public WorkerInfo Info => _slot.Info;

    public Task<IWorkerChannel> Connected => _slot.Connected;

    public Task<WorkerEnd> Ended => _ended;

    public IReadOnlyList<string> DiagnosticTail => _slot.DiagnosticTail;

    public TimeSpan? Walltime => Interlocked.Read(ref _walltimeTicks) is >= 0 and long ticks ? TimeSpan.FromTicks(ticks) : _requested;

    public void OnReady(ReadyMessage ready)
    {
        _slot.OnReady(ready);
        _launchId = ready.LaunchId;
        long readyAt = Stopwatch.GetTimestamp();
        _ = LearnWalltimeAsync(ready.LaunchId, readyAt);
    }

    public void Kill(KillReason reason)
    {
        if (!_slot.Ended.IsCompleted)
        {
            // The master ended it: there is nothing to ask Slurm.
            _killed = true;
            if (!_slot.Connected.IsCompleted)
            {
                // Given up before its worker came: that worker is no longer wanted.
                _source.Withdraw();
            }
        }

        _slot.Kill(reason);
    }

    public ValueTask DisposeAsync() => _slot.DisposeAsync();

    private async Task<WorkerEnd> ExplainEndAsync(Task<WorkerEnd> ending)
    {
        WorkerEnd end = await ending.ConfigureAwait(false);
        if (end.Kind != WorkerEndKind.ConnectionLost || _killed || _launchId is not { } launchId)
        {
            return end;
        }

        return await _source.ExplainAsync(launchId, end).ConfigureAwait(false);
    }

    private async Task LearnWalltimeAsync(string? launchId, long readyAt)
    {
        if (await _source.TimeLeftAsync(launchId).ConfigureAwait(false) is { } left)
        {
            // Counted from the Ready, as the scheduler counts it.
            Interlocked.Exchange(ref _walltimeTicks, (Stopwatch.GetElapsedTime(readyAt) + left).Ticks);
        }
    }
}
