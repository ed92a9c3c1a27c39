namespace Divvy.Launching.Slurm;

/// <summary>What a Slurm worker's handle asks the launcher that started it, by the worker's launch id.</summary>
internal interface ISlurmWorkerSource
{
    /// <summary>How the worker ended, by Slurm's account, after its connection dropped without a Goodbye; <paramref name="lost"/> when Slurm cannot say.</summary>
    Task<WorkerEnd> ExplainAsync(string launchId, WorkerEnd lost);

    /// <summary>How long the worker has before Slurm ends it; <c>null</c> for no limit or when Slurm cannot say.</summary>
    Task<TimeSpan?> TimeLeftAsync(string? launchId);

    /// <summary>A slot no worker came to yet was given up (the run shrank, or ended): ask Slurm for one worker less.</summary>
    void Withdraw();
}
