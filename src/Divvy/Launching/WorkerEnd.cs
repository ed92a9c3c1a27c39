namespace Divvy.Launching;

/// <summary>
/// How a worker ended: the kind, the exit code and signal where the launcher knows them, and what
/// its engine said about it (<c>Slurm job 426_0: CANCELLED</c>) where one was asked.
/// </summary>
internal readonly record struct WorkerEnd(WorkerEndKind Kind, int? ExitCode, int? Signal, string? Detail = null)
{
    /// <summary>How a local process ended, from the code the operating system reported.</summary>
    public static WorkerEnd FromExit(WorkerExit exit) =>
        new(exit.Signal is null ? WorkerEndKind.Exited : WorkerEndKind.Killed, exit.ExitCode, exit.Signal);

    /// <summary>Exited by itself with code 0.</summary>
    public bool IsSuccess => Kind == WorkerEndKind.Exited && ExitCode == 0;

    /// <summary>
    /// The public description hooks and exceptions carry. Without a known code: 128 + the signal
    /// where one is known (as Unix reports it), otherwise -1.
    /// </summary>
    public WorkerExit ToExit() => new(ExitCode ?? (Signal is { } signal ? 128 + signal : -1));

    /// <summary><c>exit code 3</c>, <c>killed by SIGKILL (exit code 137)</c>, <c>connection lost; Slurm job 426_0: CANCELLED</c>.</summary>
    public override string ToString()
    {
        string how = Kind switch
        {
            WorkerEndKind.ConnectionLost when ExitCode is null && Signal is null => "connection lost",
            WorkerEndKind.LaunchFailed when ExitCode is null && Signal is null => "failed to launch",
            _ => ToExit().ToString(),
        };
        return Detail is null ? how : $"{how}; {Detail}";
    }
}
