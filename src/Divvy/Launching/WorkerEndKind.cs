namespace Divvy.Launching;

/// <summary>How a worker ended, as far as its launcher can tell.</summary>
internal enum WorkerEndKind
{
    /// <summary>It exited by itself, with an exit code.</summary>
    Exited,

    /// <summary>A signal ended it (the master's kill, or anyone's).</summary>
    Killed,

    /// <summary>Its connection went away and nothing more is known (a remote worker).</summary>
    ConnectionLost,

    /// <summary>It never came up.</summary>
    LaunchFailed,
}
