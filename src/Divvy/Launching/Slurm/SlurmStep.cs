using System.Diagnostics;

namespace Divvy.Launching.Slurm;

/// <summary>
/// One worker started as an <c>srun</c> step: the srun process, whose output is the worker's (it
/// goes to the master's own streams, line by line), and what srun said when Slurm ended the step
/// (<c>*** STEP 429.3 ON node CANCELLED AT ... ***</c>) rather than the worker ending by itself.
/// </summary>
internal sealed class SlurmStep : IDisposable
{
    private static readonly TimeSpan s_exitWait = TimeSpan.FromSeconds(5);
    private readonly Process _process;
    private volatile string? _endedBySlurm;

    private SlurmStep(string launchId, Process process)
    {
        LaunchId = launchId;
        _process = process;
    }

    /// <summary>What the worker says back in its Ready message (<c>DIVVY_LAUNCH_ID</c>).</summary>
    public string LaunchId { get; }

    /// <summary>Starts <c>srun <paramref name="arguments"/></c> with <paramref name="environment"/> and the step's launch id.</summary>
    /// <exception cref="WorkerSpawnException">srun cannot be started.</exception>
    public static SlurmStep Start(string launchId, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?> environment)
    {
        var withId = new Dictionary<string, string?>(environment) { [WorkerEnvironment.LaunchIdVariable] = launchId };
        Process process = SlurmCommand.Start("srun", arguments, withId, redirectInput: false);
        var step = new SlurmStep(launchId, process);
        process.OutputDataReceived += (_, e) => Forward(Console.Out, e.Data);
        process.ErrorDataReceived += (_, e) => step.OnError(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return step;
    }

    /// <summary>Whether srun's line says Slurm ended the step (scancel, walltime, node failure, preemption, requeue).</summary>
    public static bool SaysSlurmEndedIt(string line) =>
        line.Contains("***", StringComparison.Ordinal)
        && (line.Contains(" STEP ", StringComparison.Ordinal) || line.Contains(" JOB ", StringComparison.Ordinal))
        && line.Contains(" CANCELLED AT ", StringComparison.Ordinal);

    /// <summary>
    /// How the step's worker ended, once srun has exited (waiting up to <paramref name="wait"/>): a
    /// step Slurm ended is a lost connection, not the item's fault; otherwise srun's exit code is
    /// the worker's (128 + N for a signal). <paramref name="lost"/> when srun has not exited in time.
    /// </summary>
    public async Task<WorkerEnd> ExplainAsync(WorkerEnd lost, TimeSpan wait)
    {
        using var deadline = new CancellationTokenSource(wait);
        try
        {
            await _process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return lost;
        }

        if (_endedBySlurm is { } line)
        {
            return lost with { Detail = $"Slurm: {line.Trim().Trim('*').Trim()}" };
        }

        var exit = new WorkerExit(_process.ExitCode);
        return exit.Signal is { } signal
            ? new WorkerEnd(WorkerEndKind.Killed, null, signal, $"srun step {LaunchId}")
            : new WorkerEnd(WorkerEndKind.Exited, exit.ExitCode, null, $"srun step {LaunchId}");
    }

    /// <summary>Waits for srun to end (the worker was told to stop, or lost its master); kills it after a grace period.</summary>
    public async Task EndAsync()
    {
        using var wait = new CancellationTokenSource(s_exitWait);
        try
        {
            await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
        }
    }

    public void Dispose() => _process.Dispose();

    private void OnError(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (SaysSlurmEndedIt(line))
        {
            _endedBySlurm = line;
        }

        Console.Error.WriteLine(line);
    }

    private static void Forward(TextWriter writer, string? line)
    {
        if (line is not null)
        {
            writer.WriteLine(line);
        }
    }
}
