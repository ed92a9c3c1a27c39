namespace Divvy.Launching;

/// <summary>The program and arguments that start a worker: this very program, launched again.</summary>
internal sealed record WorkerCommand(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>
    /// Re-creates the current command line. An apphost (<c>./App</c>, and what <c>dotnet run</c>
    /// launches) is started as is; under the <c>dotnet</c> host (<c>dotnet App.dll</c>) the entry
    /// assembly's path goes first.
    /// </summary>
    public static WorkerCommand ForCurrentProcess()
    {
        string processPath = Environment.ProcessPath
            ?? throw new WorkerSpawnException("cannot tell which executable this process runs (Environment.ProcessPath is null), so workers cannot be launched");
        string[] args = Environment.GetCommandLineArgs();
        var arguments = new List<string>(args.Length);
        if (IsDotnetHost(processPath))
        {
            // Under the muxer, args[0] is the entry assembly's full path.
            arguments.Add(args[0]);
        }

        arguments.AddRange(args.AsSpan(1)); // a span, not LINQ's Skip: the master loads no System.Linq
        return new WorkerCommand(processPath, arguments);
    }

    private static bool IsDotnetHost(string processPath) =>
        string.Equals(Path.GetFileNameWithoutExtension(processPath), "dotnet", StringComparison.OrdinalIgnoreCase);
}
