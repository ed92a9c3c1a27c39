using System.Diagnostics;

namespace Divvy.Launching.Slurm;

/// <summary>
/// Runs one Slurm client command (<c>sbatch</c>, <c>squeue</c>, <c>scancel</c>) to completion, with a
/// deadline: its exit code, what it printed, and a one-line description of a failure.
/// </summary>
internal sealed record SlurmCommand(int ExitCode, string Output, string Error)
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(30);

    public bool Succeeded => ExitCode == 0;

    /// <summary>What went wrong, on one line: Slurm's own message where it gave one.</summary>
    public string Failure => Error.Trim() is { Length: > 0 } error
        ? string.Join(" ", error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        : $"exit code {ExitCode}";

    /// <summary>
    /// Runs <paramref name="tool"/> with <paramref name="arguments"/> (never through a shell),
    /// <paramref name="input"/> on its stdin, and <paramref name="environment"/> changes on top of
    /// this process's environment (a <c>null</c> value removes the variable).
    /// </summary>
    /// <exception cref="WorkerSpawnException">The tool cannot be started (not installed, not on PATH) or did not finish in time.</exception>
    public static async Task<SlurmCommand> RunAsync(string tool, IEnumerable<string> arguments, string? input = null, IReadOnlyDictionary<string, string?>? environment = null, CancellationToken cancellationToken = default)
    {
        using Process process = Start(tool, arguments, environment, redirectInput: true);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(s_deadline);
        Task<string> output = process.StandardOutput.ReadToEndAsync(deadline.Token);
        Task<string> error = process.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            await process.StandardInput.WriteAsync(input).ConfigureAwait(false);
            process.StandardInput.Close();
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            return new SlurmCommand(process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill();
            throw new WorkerSpawnException($"{tool} did not answer within {s_deadline.TotalSeconds:F0} s: is the Slurm controller reachable?");
        }
        catch (IOException ex)
        {
            process.Kill();
            throw new WorkerSpawnException($"{tool} failed: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Starts a Slurm client (never through a shell) with its output redirected, and
    /// <paramref name="environment"/> changes on top of this process's environment (a <c>null</c>
    /// value removes the variable).
    /// </summary>
    /// <exception cref="WorkerSpawnException">The tool cannot be started (not installed, not on PATH).</exception>
    public static Process Start(string tool, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment, bool redirectInput)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string name, string? value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        try
        {
            return Process.Start(start) ?? throw new WorkerSpawnException($"cannot run {tool}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new WorkerSpawnException($"cannot run {tool} ({ex.Message}): a Slurm run needs Slurm's client commands on PATH", ex);
        }
    }
}
