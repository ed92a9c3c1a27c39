namespace Divvy;

/// <summary>How a run's workers come to exist (<see cref="MasterOptions.Launcher"/>).</summary>
public enum WorkerLauncherKind
{
    /// <summary>The master starts each worker as a local child process, on two anonymous pipes. The default.</summary>
    Local,

    /// <summary>
    /// The master starts nothing: it listens on <see cref="MasterOptions.Listen"/> and workers started
    /// by anyone (<c>divvy worker --connect</c>, or a program started with <c>DIVVY_CONNECT</c>) dial in
    /// over TCP and authenticate with the run's token.
    /// </summary>
    External,

    /// <summary>
    /// Slurm starts the workers: as job steps inside the master's allocation, or as a job array
    /// submitted for the run (<see cref="MasterOptions.Slurm"/>). They dial back over TCP to the
    /// master (<see cref="MasterOptions.Listen"/>, default every address on a free port;
    /// <see cref="MasterOptions.Advertise"/>, default this host's name) with a token file the run
    /// creates; the master cancels what it submitted when it ends.
    /// </summary>
    Slurm,
}
