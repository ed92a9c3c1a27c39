using System.Diagnostics;

namespace Divvy.Tests.Support;

/// <summary>
/// A program under test, started for real: its output lines are collected as they come, it can be
/// signalled, and disposing it kills whatever is left and checks that no worker outlived it.
/// </summary>
internal sealed class ProcessRun : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly Task _pumps;

    private ProcessRun(Process process)
    {
        _process = process;
        Pid = process.Id;
        _pumps = Task.WhenAll(Pump(process.StandardOutput, _stdout), Pump(process.StandardError, _stderr));
    }

    public int Pid { get; }

    public IReadOnlyList<string> Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToArray();
            }
        }
    }

    public IReadOnlyList<string> Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToArray();
            }
        }
    }

    public string AllStderr => string.Join("\n", Stderr);

    public int ExitCode => _process.ExitCode;

    /// <summary>Whether the process has ended, so a loop that acts on it can stop.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Starts <c>dotnet file args</c> (or the file itself when it is not a .dll).</summary>
    public static ProcessRun Start(string file, IEnumerable<string> args, IDictionary<string, string>? environment = null, string? input = null, string? workingDirectory = null)
    {
        bool dll = file.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var info = new ProcessStartInfo(dll ? "dotnet" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Artifacts.RepositoryRoot,
        };
        if (dll)
        {
            info.ArgumentList.Add(file);
        }

        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info)!;
        if (input is not null)
        {
            process.StandardInput.Write(input);
        }

        process.StandardInput.Close();
        return new ProcessRun(process);
    }

    /// <summary>Starts the program and writes <paramref name="input"/> to its stdin, then closes it.</summary>
    public static ProcessRun StartWithInput(string file, IEnumerable<string> args, string input) => Start(file, args, input: input);

    /// <summary>Starts the <c>divvy</c> command with these arguments.</summary>
    public static ProcessRun DivvyCommand(params string[] args) => Start(Artifacts.CliDll, args);

    /// <summary><c>--job TYPE jobs.dll args...</c>: the tail of a divvy command line that runs one job of the jobs assembly.</summary>
    public static string[] Job(string type, params string[] args) => ["--job", type, Artifacts.JobsDll, .. args];

    public static ProcessRun JobsRun(string scenario, int workers, params string[] args) =>
        Start(Artifacts.JobsDll, [scenario, workers.ToString(System.Globalization.CultureInfo.InvariantCulture), .. args]);

    /// <summary>Waits for the program to exit by itself, all output read.</summary>
    public async Task<int> WaitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await _pumps.WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"pid {Pid} did not exit within {timeout ?? DefaultTimeout}; stdout:\n{string.Join("\n", Stdout)}\nstderr:\n{AllStderr}");
        }

        return _process.ExitCode;
    }

    /// <summary>Waits until <paramref name="count"/> stdout lines start with <paramref name="prefix"/>.</summary>
    public async Task WaitForLinesAsync(string prefix, int count = 1, TimeSpan? timeout = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (Lines(prefix).Count < count)
        {
            if (DateTime.UtcNow > deadline || _process.HasExited && Lines(prefix).Count < count && _pumps.IsCompleted)
            {
                throw new TimeoutException($"waited for {count} '{prefix}' lines; stdout:\n{string.Join("\n", Stdout)}\nstderr:\n{AllStderr}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Waits for the first stderr line that starts with <paramref name="prefix"/>, and returns it.</summary>
    public async Task<string> WaitForStderrLineAsync(string prefix, TimeSpan? timeout = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            if (Stderr.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            if (DateTime.UtcNow > deadline || HasExited)
            {
                throw new TimeoutException($"no '{prefix}' line on stderr of pid {Pid}:\n{AllStderr}");
            }

            await Task.Delay(20);
        }
    }

    public IReadOnlyList<string> Lines(string prefix) => Stdout.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ToArray();

    /// <summary>Parses <c>key=value</c> fields of one report line.</summary>
    public static Dictionary<string, string> Fields(string line) =>
        line.Split(' ').Skip(1).Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);

    public Dictionary<string, string> Summary() => Fields(Lines("summary ").Single());

    public void Signal(int signal) => Signals.Send(Pid, signal);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        IReadOnlyList<int> leftovers = await WorkerCensus.WaitUntilNoneAsync(Pid, TimeSpan.FromSeconds(5));
        foreach (int pid in leftovers)
        {
            try
            {
                Process.GetProcessById(pid).Kill();
            }
            catch (ArgumentException)
            {
                // Exited in the meantime.
            }
        }

        _process.Dispose();
        if (leftovers.Count > 0)
        {
            throw new InvalidOperationException($"workers of master {Pid} outlived it: {string.Join(", ", leftovers)}");
        }
    }

    private static async Task Pump(StreamReader reader, List<string> lines)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (lines)
            {
                lines.Add(line);
            }
        }
    }
}
