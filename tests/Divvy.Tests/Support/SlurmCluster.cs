using System.Diagnostics;

namespace Divvy.Tests.Support;

/// <summary>
/// The Slurm cluster the Slurm specs submit to: found once per test run (<c>SLURM_CONF</c>, or the
/// private cluster of <c>tests/slurm/start-local-slurm.sh</c>), with helpers that run Slurm's own
/// tools against it. Specs that need it are <see cref="SlurmFactAttribute"/>s, skipped with
/// <see cref="Unavailable"/> as the reason when there is none.
/// </summary>
internal sealed partial class SlurmCluster
{
    /// <summary>Where <c>tests/slurm/start-local-slurm.sh</c> writes the configuration unless <c>DIVVY_SLURM_DIR</c> says otherwise.</summary>
    public const string DefaultConf = "/tmp/divvy-slurm/etc/slurm.conf";

    /// <summary>How a developer gets a cluster (as root); named in every reason for skipping.</summary>
    public const string StartCommand = "DIVVY_SLURM_INSTALL=1 tests/slurm/start-local-slurm.sh";

    private static readonly string[] s_tools = ["sbatch", "squeue", "scancel", "scontrol", "sinfo"];

    // sinfo states of a node that takes jobs; anything else (down, drained, "*" not responding) does not.
    private static readonly string[] s_readyStates = ["idle", "mixed", "allocated", "completing"];

    private static readonly TimeSpan s_probeTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_toolTimeout = TimeSpan.FromSeconds(30);
    private static readonly Lazy<(SlurmCluster? Cluster, string? Unavailable)> s_found = new(Probe);

    /// <summary>The cluster of this <c>slurm.conf</c>; <see cref="Find"/> is how the one-node specs get theirs.</summary>
    internal SlurmCluster(string conf)
    {
        Conf = conf;
        Environment = new Dictionary<string, string> { ["SLURM_CONF"] = conf };
    }

    /// <summary>The cluster's <c>slurm.conf</c>.</summary>
    public string Conf { get; }

    /// <summary>What a process needs in its environment to talk to this cluster (<c>SLURM_CONF</c>): pass it to the master a spec starts.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>Why there is no cluster to run the Slurm specs on; null when <see cref="Find"/> found one.</summary>
    public static string? Unavailable => s_found.Value.Unavailable;

    /// <summary>The skip reason of every Slurm spec when there is no cluster.</summary>
    public static string SkipReason => "Slurm specs skipped: " + Unavailable;

    /// <summary>
    /// Skips a Slurm spec when there is no cluster, with <see cref="SkipReason"/> also in its name
    /// (<c>Class.Spec (Slurm specs skipped: reason)</c>): the default console output of <c>dotnet test</c>
    /// (minimal) prints a skipped test's name but not its skip reason.
    /// </summary>
    public static void SkipUnlessFound(FactAttribute spec, string file, string member)
    {
        if (Find() is null)
        {
            spec.Skip = SkipReason;
            spec.DisplayName = $"{Path.GetFileNameWithoutExtension(file).Split('.')[0]}.{member} ({SkipReason})";
        }
    }

    /// <summary>
    /// The cluster, or null (with <see cref="Unavailable"/> saying why) unless there is a configuration
    /// (<c>SLURM_CONF</c>, else <see cref="DefaultConf"/>), Slurm's client tools are on PATH, and
    /// <c>sinfo -h</c> answers within 10 s with a node that takes jobs. Looked for once per test run.
    /// </summary>
    public static SlurmCluster? Find() => s_found.Value.Cluster;

    /// <summary>
    /// Runs one of Slurm's tools (<c>squeue</c>, <c>scontrol</c>, ...) against this cluster and returns
    /// its stdout; throws with its stderr when it exits non-zero, and kills it after 30 s.
    /// </summary>
    public async Task<string> RunAsync(string tool, params string[] args)
    {
        (int? exitCode, string stdout, string stderr) = await ExecuteAsync(tool, args, s_toolTimeout);
        string command = string.Join(' ', [tool, .. args]);
        return exitCode switch
        {
            null => throw new TimeoutException($"'{command}' did not exit within {s_toolTimeout.TotalSeconds} s and was killed; stderr: {OneLine(stderr)}"),
            0 => stdout,
            _ => throw new InvalidOperationException($"'{command}' exited {exitCode}: {OneLine(stderr)}"),
        };
    }

    /// <summary>This cluster's queued and running jobs (array tasks included) with this name, as <c>"ID STATE"</c> lines from <c>squeue</c>.</summary>
    public async Task<IReadOnlyList<string>> JobsNamedAsync(string jobName)
    {
        string stdout = await RunAsync("squeue", "-h", $"--name={jobName}", "-o", "%i %T");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>Cancels every job with this name (<c>scancel --name</c>): a spec's cleanup, in <c>finally</c>.</summary>
    public Task CancelJobsNamedAsync(string jobName) => RunAsync("scancel", $"--name={jobName}");

    private static (SlurmCluster?, string?) Probe()
    {
        string? fromEnvironment = System.Environment.GetEnvironmentVariable("SLURM_CONF");
        string conf;
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            if (!File.Exists(fromEnvironment))
            {
                return (null, $"SLURM_CONF is {fromEnvironment}, which does not exist; start a local cluster with: {StartCommand}");
            }

            conf = fromEnvironment;
        }
        else if (File.Exists(DefaultConf))
        {
            conf = DefaultConf;
        }
        else
        {
            return (null, $"no Slurm cluster: SLURM_CONF is not set and {DefaultConf} does not exist; start a local cluster with: {StartCommand}");
        }

        string[] missing = s_tools.Where(tool => !IsOnPath(tool)).ToArray();
        if (missing.Length > 0)
        {
            return (null, $"{string.Join(", ", missing)} not on PATH; install Slurm and start a local cluster with: {StartCommand}");
        }

        var cluster = new SlurmCluster(conf);

        // Synchronous on purpose: skip reasons are decided in attribute constructors, at discovery.
        (int? exitCode, string stdout, string stderr) = cluster.ExecuteAsync("sinfo", ["-h", "-o", "%T"], s_probeTimeout).GetAwaiter().GetResult();
        if (exitCode is null)
        {
            return (null, $"'sinfo -h' (SLURM_CONF={conf}) did not answer within {s_probeTimeout.TotalSeconds} s; is slurmctld running? Start a local cluster with: {StartCommand}");
        }

        if (exitCode != 0)
        {
            return (null, $"'sinfo -h' (SLURM_CONF={conf}) exited {exitCode}: {OneLine(stderr)}; start a local cluster with: {StartCommand}");
        }

        string[] states = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (!states.Any(s_readyStates.Contains))
        {
            return (null, $"no node of the cluster at SLURM_CONF={conf} takes jobs (sinfo: {(states.Length == 0 ? "no nodes" : string.Join(", ", states))})");
        }

        return (cluster, null);
    }

    // A skip reason is shown in a test's name, on one line.
    private static string OneLine(string text) =>
        string.Join(" / ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static bool IsOnPath(string tool) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, tool)));

    /// <summary>Runs the tool with this cluster's environment; a null exit code means it was killed at the timeout.</summary>
    private async Task<(int? ExitCode, string Stdout, string Stderr)> ExecuteAsync(string tool, IReadOnlyList<string> args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach ((string key, string value) in Environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Only the process started just above (and what it started) is killed.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().ConfigureAwait(false);
            return (null, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }

        return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>Waits for the master's <c>divvy: Slurm workers will dial ... (job name NAME)</c> line and returns NAME.</summary>
    public static async Task<string> JobNameOfAsync(ProcessRun master)
    {
        string line = await master.WaitForStderrLineAsync("divvy: Slurm workers will dial ");
        return JobNamePattern().Match(line).Groups[1].Value;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\(job name ([^)]+)\)")]
    private static partial System.Text.RegularExpressions.Regex JobNamePattern();
}
