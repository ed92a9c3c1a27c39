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
}
