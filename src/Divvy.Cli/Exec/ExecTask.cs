using MessagePack;

namespace Divvy.Cli.Exec;

/// <summary>One command to run: a go-workerpool task, a templated line, or a repeat run.</summary>
[MessagePackObject]
public sealed class ExecTask
{
    /// <summary>1-based position in the input, the <c>{#}</c> of templates.</summary>
    [Key(0)]
    public long Sequence { get; set; }

    /// <summary>The caller's name for the task, echoed in its result.</summary>
    [Key(1)]
    public string Identifier { get; set; } = "";

    /// <summary>The program (or, with <see cref="Shell"/>, the shell command line).</summary>
    [Key(2)]
    public string Command { get; set; } = "";

    [Key(3)]
    public string[] Args { get; set; } = [];

    [Key(4)]
    public Dictionary<string, string>? Env { get; set; }

    [Key(5)]
    public string? Cwd { get; set; }

    /// <summary>Per-task timeout; null for the run's default.</summary>
    [Key(6)]
    public double? TimeoutSeconds { get; set; }

    /// <summary>Run <see cref="Command"/> with <c>/bin/sh -c</c> instead of directly.</summary>
    [Key(7)]
    public bool Shell { get; set; }

    /// <summary>The identifier: how the end-of-run report names the task (its slowest commands).</summary>
    public override string ToString() => Identifier;
}
