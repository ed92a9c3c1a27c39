namespace Divvy.Cli.Exec;

/// <summary>Where <c>divvy exec</c> gets its commands.</summary>
internal enum ExecMode
{
    /// <summary>A go-workerpool task list (JSON array).</summary>
    TaskList,

    /// <summary>A command template run once per input line (xargs / GNU parallel style).</summary>
    Lines,

    /// <summary>One command run again and again (gangpile load mode).</summary>
    Repeat,
}
