namespace Divvy;

/// <summary>
/// The cluster engine refused the run's workers (<see cref="WorkerLauncherKind.Slurm"/>: <c>sbatch</c>
/// or <c>srun</c> failed, say for a partition that does not exist). Its message carries the engine's
/// own words. The run stops: no worker would come.
/// </summary>
public sealed class WorkerSubmitException : WorkerSpawnException
{
    /// <summary>Creates the exception.</summary>
    public WorkerSubmitException(string message, Exception? innerException = null) : base(message, innerException) { }
}
