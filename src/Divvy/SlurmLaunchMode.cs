namespace Divvy;

/// <summary>How a Slurm run starts its workers (<see cref="SlurmOptions.Mode"/>).</summary>
public enum SlurmLaunchMode
{
    /// <summary>Job steps inside an allocation (<c>SLURM_JOB_ID</c> is set), a job array outside one. The default.</summary>
    Auto,

    /// <summary>Each worker is a job step of the master's allocation, started with <c>srun</c>.</summary>
    Steps,

    /// <summary>Workers are the tasks of job arrays submitted with <c>sbatch --array</c>.</summary>
    Array,
}
