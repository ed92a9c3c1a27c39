using System.Text.Json.Nodes;

namespace Divvy.Client;

/// <summary>How a remote command ended: the reason, the exit code or signal, and what it cost.</summary>
/// <param name="Reason"><c>exited</c>, <c>signaled</c>, <c>timeout</c>, <c>spawn_failed</c>, <c>server_shutdown</c>.</param>
/// <param name="ExitCode">The command's exit code, when it exited.</param>
/// <param name="Signal">The signal that ended it (<c>TERM</c>, <c>KILL</c>...), when one did.</param>
/// <param name="ProcessId">Its process id on the server.</param>
/// <param name="Queued">How long it waited for a slot.</param>
/// <param name="RunTime">How long it ran.</param>
/// <param name="Error">Why it could not start, for <c>spawn_failed</c>.</param>
public sealed record RemoteExitStatus(string Reason, int? ExitCode, string? Signal, int? ProcessId, TimeSpan Queued, TimeSpan RunTime, string? Error)
{
    private static readonly string[] s_signals = ["", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM"];

    /// <summary>What a shell would report: the exit code, or 128 + the signal's number.</summary>
    public int ShellExitCode => ExitCode ?? (Signal is { } name && Array.IndexOf(s_signals, name) is > 0 and int number ? 128 + number : 255);

    /// <summary>Reads an EXIT frame's payload.</summary>
    internal static RemoteExitStatus From(JsonObject exit) => new(
        (string?)exit["reason"] ?? "exited",
        (int?)exit["exit_code"],
        (string?)exit["signal"],
        (int?)exit["pid"],
        TimeSpan.FromMilliseconds((double?)exit["queued_ms"] ?? 0),
        TimeSpan.FromMilliseconds((double?)exit["run_ms"] ?? 0),
        exit["error"] switch
        {
            JsonValue text => (string?)text,
            JsonObject error => (string?)error["message"],
            _ => null,
        });

    /// <summary>The signal's number for a name the protocol knows (<c>TERM</c> or <c>SIGTERM</c>); <c>null</c> for another.</summary>
    public static int? SignalNumber(string name)
    {
        string bare = name.StartsWith("SIG", StringComparison.Ordinal) ? name[3..] : name;
        return bare switch
        {
            "CONT" => 18,
            "STOP" => 19,
            _ => Array.IndexOf(s_signals, bare) is > 0 and int number ? number : null,
        };
    }

    /// <summary>The protocol's name for a signal number (<c>15</c> → <c>TERM</c>); <c>null</c> for one it does not name.</summary>
    public static string? SignalName(int number) => number switch
    {
        18 => "CONT",
        19 => "STOP",
        > 0 when number < s_signals.Length => s_signals[number],
        _ => null,
    };
}
