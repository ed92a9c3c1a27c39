using System.Globalization;
using System.Text.RegularExpressions;

namespace Divvy.Launching.Slurm;

/// <summary>
/// One job (or array task) as <c>scontrol show job -o</c> prints it: its state and exit code, read
/// to tell a worker the engine ended (cancelled, walltime, node failure, preemption: not the item's
/// fault) from one that crashed (a signal or an exit code of its own: the item's).
/// </summary>
internal sealed partial record SlurmJobRecord(string Id, string State, int ExitCode, int Signal, string? Reason)
{
    /// <summary>Reads <c>JobState=</c>, <c>ExitCode=CODE:SIGNAL</c> and <c>Reason=</c> from a one-line record; <c>null</c> when it has no state.</summary>
    public static SlurmJobRecord? Parse(string id, string record)
    {
        Match state = StatePattern().Match(record);
        if (!state.Success)
        {
            return null;
        }

        Match exit = ExitPattern().Match(record);
        Match reason = ReasonPattern().Match(record);
        return new SlurmJobRecord(
            id,
            state.Groups[1].Value,
            exit.Success ? int.Parse(exit.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            exit.Success ? int.Parse(exit.Groups[2].Value, CultureInfo.InvariantCulture) : 0,
            reason.Success && reason.Groups[1].Value != "None" ? reason.Groups[1].Value : null);
    }

    /// <summary>
    /// How the worker that was this job ended, as the scheduler judges it; <c>null</c> while Slurm
    /// still has it running (or completing), when nothing is known yet.
    /// </summary>
    public WorkerEnd? ToWorkerEnd() => State switch
    {
        // The engine ended it: its items are not to blame.
        "CANCELLED" or "TIMEOUT" or "NODE_FAIL" or "PREEMPTED" or "BOOT_FAIL" or "DEADLINE" or "REVOKED"
            => new WorkerEnd(WorkerEndKind.ConnectionLost, null, null, Describe()),

        // The cgroup's OOM killer: the memory was the item's.
        "OUT_OF_MEMORY" => new WorkerEnd(WorkerEndKind.Killed, null, 9, Describe()),

        // It ended by itself, or a signal not from Slurm killed it.
        "FAILED" or "COMPLETED" => Signal > 0
            ? new WorkerEnd(WorkerEndKind.Killed, null, Signal, Describe())
            : new WorkerEnd(WorkerEndKind.Exited, ExitCode, null, Describe()),
        _ => null,
    };

    /// <summary><c>Slurm job 426_0: CANCELLED</c>, with the reason where Slurm gives one.</summary>
    public string Describe() => Reason is null ? $"Slurm job {Id}: {State}" : $"Slurm job {Id}: {State} ({Reason})";

    [GeneratedRegex(@"(?:^|\s)JobState=(\S+)")]
    private static partial Regex StatePattern();

    [GeneratedRegex(@"(?:^|\s)ExitCode=(\d+):(\d+)")]
    private static partial Regex ExitPattern();

    [GeneratedRegex(@"(?:^|\s)Reason=(\S+)")]
    private static partial Regex ReasonPattern();
}
