namespace Divvy;

/// <summary>How a worker process ended.</summary>
public readonly struct WorkerExit
{
    /// <summary>Creates an exit description from the code the operating system reported.</summary>
    public WorkerExit(int exitCode)
    {
        ExitCode = exitCode;
    }

    /// <summary>
    /// The exit code. On Linux and macOS a process killed by a signal reports 128 + the signal
    /// number, which is what .NET gives back; <see cref="Signal"/> decodes it.
    /// </summary>
    public int ExitCode { get; }

    /// <summary>The signal that killed the process, when the exit code says one did (Unix only).</summary>
    public int? Signal => !OperatingSystem.IsWindows() && ExitCode > 128 && ExitCode < 128 + 65 ? ExitCode - 128 : null;

    /// <summary><c>exit code 3</c> or <c>killed by SIGKILL (exit code 137)</c>.</summary>
    public override string ToString() => Signal is { } signal
        ? $"killed by {SignalName(signal)} (exit code {ExitCode})"
        : $"exit code {ExitCode}";

    private static string SignalName(int signal) => signal switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        _ => $"signal {signal}",
    };
}
