using MessagePack;

namespace Divvy.Cli.Exec;

/// <summary>How one command ended, with its output (inline, or in a spill file when large).</summary>
[MessagePackObject]
public sealed class ExecOutcome
{
    [Key(0)]
    public string Identifier { get; set; } = "";

    /// <summary>The exit code; 128 + N when killed by signal N; 127 when the command could not start.</summary>
    [Key(1)]
    public int ExitCode { get; set; }

    [Key(2)]
    public int? Signal { get; set; }

    [Key(3)]
    public CapturedOutput Stdout { get; set; } = new();

    [Key(4)]
    public CapturedOutput Stderr { get; set; } = new();

    /// <summary>Start time, ISO 8601 UTC.</summary>
    [Key(5)]
    public string StartedAt { get; set; } = "";

    [Key(6)]
    public double DurationMs { get; set; }

    /// <summary>Why the command did not run or did not finish (start failure, timeout); null otherwise.</summary>
    [Key(7)]
    public string? Error { get; set; }

    [Key(8)]
    public int Worker { get; set; }

    [IgnoreMember]
    public bool Succeeded => ExitCode == 0 && Error is null;

    /// <summary>The command ran past a timeout (the run's, or the task's own) and its group was stopped. Known in the worker only.</summary>
    [IgnoreMember]
    public bool TimedOut { get; set; }

    /// <summary>The command could not be started (not found, not executable): not worth retrying. Known in the worker only.</summary>
    [IgnoreMember]
    public bool NotStarted { get; set; }

    /// <summary><c>exit code N</c>, and the reason when there is one: <c>exit code 137 (killed by signal 9)</c>.</summary>
    public string Verdict()
    {
        string? reason = Error ?? (Signal is { } signal ? $"killed by signal {signal}" : null);
        return $"exit code {ExitCode}{(reason is null ? "" : $" ({reason})")}";
    }
}
