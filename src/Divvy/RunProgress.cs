namespace Divvy;

/// <summary>A snapshot of a running job, for progress displays. Read it from any thread with <see cref="Master.Progress"/>.</summary>
public readonly record struct RunProgress(long Dispatched, long Succeeded, long Failed, int InFlight, int WorkersAlive, int WorkersTarget, TimeSpan Elapsed)
{
    /// <summary>Items an earlier run settled, by the <see cref="MasterOptions.Journal"/>, skipped so far.</summary>
    public long Skipped { get; init; }

    /// <summary>Items settled so far, with or without success, skipped ones included.</summary>
    public long Settled => Succeeded + Failed + Skipped;

    /// <summary>Items this run settled per second since the start (skipped ones are not counted: they cost nothing).</summary>
    public double Rate => Elapsed > TimeSpan.Zero ? (Succeeded + Failed) / Elapsed.TotalSeconds : 0;
}
