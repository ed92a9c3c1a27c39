namespace Divvy;

/// <summary>A snapshot of a running job, for progress displays. Read it from any thread with <see cref="Master.Progress"/>.</summary>
public readonly record struct RunProgress(long Dispatched, long Succeeded, long Failed, int InFlight, int WorkersAlive, int WorkersTarget, TimeSpan Elapsed)
{
    /// <summary>Items settled so far, with or without success.</summary>
    public long Settled => Succeeded + Failed;

    /// <summary>Settled items per second since the start.</summary>
    public double Rate => Elapsed > TimeSpan.Zero ? Settled / Elapsed.TotalSeconds : 0;
}
