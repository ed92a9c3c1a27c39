namespace Divvy.Client;

/// <summary>What to run on the server: a program and its arguments (or a shell line), its environment, directory, and limits.</summary>
public sealed class RemoteStartInfo
{
    /// <summary>Runs <paramref name="program"/> (looked up in the server's <c>PATH</c>) with <paramref name="arguments"/>; no shell.</summary>
    public RemoteStartInfo(string program, IEnumerable<string>? arguments = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        Program = program;
        Arguments = [.. arguments ?? []];
    }

    private RemoteStartInfo(string shell, bool _)
    {
        Shell = shell;
        Program = "/bin/sh";
    }

    /// <summary>Runs <paramref name="line"/> with <c>/bin/sh -c</c> on the server.</summary>
    public static RemoteStartInfo ShellLine(string line)
    {
        ArgumentException.ThrowIfNullOrEmpty(line);
        return new RemoteStartInfo(line, true);
    }

    /// <summary>The program; <c>/bin/sh</c> for a shell line.</summary>
    public string Program { get; }

    /// <summary>The program's arguments.</summary>
    public IList<string> Arguments { get; } = [];

    /// <summary>The shell line, when this is one.</summary>
    public string? Shell { get; }

    /// <summary>Variables set for the command, on top of the server's environment (or alone, with <see cref="CleanEnvironment"/>).</summary>
    public IDictionary<string, string> Environment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Only <see cref="Environment"/> (and <c>PATH</c>, when it has none), not the server's environment.</summary>
    public bool CleanEnvironment { get; set; }

    /// <summary>The working directory; the server's when <c>null</c>.</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>Whether the command reads stdin from <see cref="RemoteProcess.StandardInput"/>; otherwise it reads end-of-file at once.</summary>
    public bool RedirectStandardInput { get; set; } = true;

    /// <summary>After this long the server ends the command's process group (SIGTERM, then SIGKILL after <see cref="KillGrace"/>).</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Between the SIGTERM and the SIGKILL of a timeout or a disconnect; the server's default (2 s) when <c>null</c>.</summary>
    public TimeSpan? KillGrace { get; set; }
}
