namespace Divvy;

/// <summary>
/// How a <see cref="WorkerLauncherKind.Slurm"/> run asks Slurm for its workers
/// (<see cref="MasterOptions.Slurm"/>). Each is passed to <c>sbatch</c> (or <c>srun</c>) as the
/// flag of the same name; anything else goes in <see cref="ExtraArguments"/>.
/// </summary>
public sealed class SlurmOptions
{
    /// <summary>
    /// Whether workers start as job steps of the allocation the master runs in (<c>srun</c>) or as
    /// tasks of a job array of their own (<c>sbatch --array</c>). Default
    /// <see cref="SlurmLaunchMode.Auto"/>: steps inside an allocation (<c>SLURM_JOB_ID</c> set),
    /// an array outside one.
    /// </summary>
    public SlurmLaunchMode Mode { get; set; } = SlurmLaunchMode.Auto;

    /// <summary><c>--partition</c>; default <c>null</c>: the cluster's default partition.</summary>
    public string? Partition { get; set; }

    /// <summary><c>--time</c>, each worker's walltime; default <c>null</c>: the partition's default.</summary>
    public TimeSpan? TimeLimit { get; set; }

    /// <summary><c>--account</c>; default <c>null</c>: the user's default account.</summary>
    public string? Account { get; set; }

    /// <summary>
    /// More arguments for <c>sbatch</c> (or <c>srun</c>), passed as given, before Divvy's own
    /// (<c>--mem=2G</c>, <c>--constraint=avx2</c>, <c>--qos=short</c>).
    /// </summary>
    public IList<string> ExtraArguments { get; } = new List<string>();
}
