namespace Divvy.Cli.Exec;

/// <summary>
/// What <c>divvy exec</c> was asked to do, parsed from the command line. Built identically in the
/// master and in each worker (workers re-run the same command line); only the master reads inputs.
/// </summary>
internal sealed class ExecSettings
{
    /// <summary>The longest wait any timeout or duration may ask for: what every .NET timer can wait (about 24 days).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>
    /// How much longer than a timed-out command's grace (SIGTERM to SIGKILL) the master waits before
    /// it kills the worker itself: the worker kills the command's group first, and reports its output.
    /// </summary>
    public static readonly TimeSpan WorkerKillMargin = TimeSpan.FromSeconds(2);

    public ExecMode Mode { get; init; }

    /// <summary>Inline task-list JSON given as the first argument.</summary>
    public string? InlineJson { get; init; }

    /// <summary>Task list file (<c>-i</c>), or <c>-</c> for stdin.</summary>
    public string? InFile { get; init; }

    /// <summary>Lines for templates: a file (<c>--args-file</c>); stdin when null.</summary>
    public string? ArgsFile { get; init; }

    /// <summary>The command and its arguments, for line and repeat modes.</summary>
    public string[] Command { get; init; } = [];

    public bool Shell { get; init; }

    public bool Tag { get; init; }

    public bool Json { get; init; }

    public string? OutFile { get; init; }

    public string? Database { get; init; }

    /// <summary>The run's <c>--timeout</c> (<see cref="MasterOptions.ItemTimeout"/>) in seconds, for the message; null for none.</summary>
    public double? TimeoutSeconds { get; init; }

    /// <summary>After a timeout's SIGTERM, how long before the process group gets SIGKILL: <c>--timeout-grace</c> as given.</summary>
    public TimeSpan TimeoutGrace { get; init; } = new MasterOptions().ItemTimeoutGrace;

    public long SpillAfter { get; init; } = 8 * 1024 * 1024;

    /// <summary>
    /// The run's directory for spill files (<see cref="SpillDirectoryVariable"/> in the workers): the
    /// master removes it at the end, with the spill files of attempts that were retried, whose
    /// outcome it never sees. Null: the temporary directory.
    /// </summary>
    public string? SpillDirectory { get; init; }

    /// <summary>The environment variable through which the master tells its workers its <see cref="SpillDirectory"/>.</summary>
    public const string SpillDirectoryVariable = "DIVVY_EXEC_SPILL_DIR";

    public long? Count { get; init; }

    public TimeSpan? Duration { get; init; }

    public bool Verbose { get; init; }
}
