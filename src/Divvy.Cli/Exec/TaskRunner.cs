using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace Divvy.Cli.Exec;

/// <summary>Runs one command in a worker: no shell unless asked, its own process group, captured or tagged output, a timeout.</summary>
internal sealed class TaskRunner
{
    private readonly ExecSettings _settings;

    public TaskRunner(ExecSettings settings)
    {
        _settings = settings;
    }

    public async Task<ExecOutcome> RunAsync(ExecTask task, int worker, CancellationToken cancellationToken)
    {
        DateTimeOffset startedAt = DateTimeOffset.UtcNow;
        long started = Stopwatch.GetTimestamp();
        var outcome = new ExecOutcome { Identifier = task.Identifier, Worker = worker, StartedAt = startedAt.ToString("O", CultureInfo.InvariantCulture) };

        string? program = task.Shell ? "/bin/sh" : ResolveProgram(task.Command, task.Cwd);
        if (program is null)
        {
            return StartFailure(outcome, 127, $"command not found: {task.Command}");
        }

        ProcessStartInfo startInfo = StartInfo(task, program);
        Process process;
        try
        {
            process = Process.Start(startInfo)!;
        }
        catch (Win32Exception ex)
        {
            return StartFailure(outcome, 126, $"cannot start {task.Command}: {ex.Message}");
        }

        using (process)
        {
            ProcessGroups.Track(process);
            process.StandardInput.Close();
            string? tag = _settings.Tag ? $"[{task.Identifier}] " : null;
            using var stdout = new OutputCapture(_settings.SpillAfter, _settings.SpillDirectory);
            using var stderr = new OutputCapture(_settings.SpillAfter, _settings.SpillDirectory);
            Task pumps = Task.WhenAll(
                stdout.PumpAsync(process.StandardOutput.BaseStream, tag, Console.Out, CancellationToken.None),
                stderr.PumpAsync(process.StandardError.BaseStream, tag, Console.Error, CancellationToken.None));

            // The task's own timeout is kept here; the run's (--timeout) is the master's ItemTimeout,
            // which cancels the token. Whichever comes first stops the command.
            using var deadline = new CancellationTokenSource();
            if (task.TimeoutSeconds is { } own)
            {
                deadline.CancelAfter(TimeSpan.FromSeconds(own));
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
            try
            {
                await process.WaitForExitAsync(stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested || _settings.TimeoutSeconds is not null)
            {
                // Timed out: the whole group gets SIGTERM, so the command can clean up, then SIGKILL
                // after the grace if it has not exited by then.
                double timeout = deadline.IsCancellationRequested ? task.TimeoutSeconds!.Value : _settings.TimeoutSeconds!.Value;
                outcome.Error = await StopAfterTimeoutAsync(process, timeout).ConfigureAwait(false);
                outcome.TimedOut = true;
            }
            catch (OperationCanceledException)
            {
                // Cancelled for another reason than a deadline: the whole group goes at once, not just the leader.
                ProcessGroups.Kill(process);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                outcome.Error = "cancelled; its process group was killed";
            }

            // Whatever the task left running in its group ends with it, so no grandchild outlives
            // the task and keeps its output pipes open.
            ProcessGroups.Kill(process);
            ProcessGroups.Untrack(process);
            await pumps.ConfigureAwait(false);

            outcome.ExitCode = process.ExitCode;
            outcome.Signal = new WorkerExit(process.ExitCode).Signal;
            outcome.Stdout = stdout.Result();
            outcome.Stderr = stderr.Result();
        }

        outcome.DurationMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return outcome;
    }

    /// <summary>SIGTERM to the group, SIGKILL after the grace; says which ended the command.</summary>
    private async Task<string> StopAfterTimeoutAsync(Process process, double timeout)
    {
        string timedOut = string.Create(CultureInfo.InvariantCulture, $"timed out after {timeout:0.###} s");
        TimeSpan grace = _settings.TimeoutGrace;
        if (grace > TimeSpan.Zero && ProcessGroups.Terminate(process))
        {
            using var patience = new CancellationTokenSource(grace);
            try
            {
                await process.WaitForExitAsync(patience.Token).ConfigureAwait(false);
                return $"{timedOut}; its process group was sent SIGTERM";
            }
            catch (OperationCanceledException)
            {
                // Still running after the grace: no more asking.
            }
        }

        ProcessGroups.Kill(process);
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        return grace > TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $"{timedOut}; its process group was killed (SIGKILL) {grace.TotalSeconds:0.###} s after SIGTERM")
            : $"{timedOut}; its process group was killed";
    }

    private ProcessStartInfo StartInfo(ExecTask task, string program)
    {
        string? setsid = ProcessGroups.Setsid;
        var startInfo = new ProcessStartInfo(setsid ?? program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = task.Cwd ?? "",
        };
        if (setsid is not null)
        {
            startInfo.ArgumentList.Add(program);
        }

        if (task.Shell)
        {
            // sh -c 'command' sh arg1 arg2: the task's args become $1, $2, ...
            startInfo.ArgumentList.Add("-c");
            startInfo.ArgumentList.Add(task.Command);
            startInfo.ArgumentList.Add("sh");
        }

        foreach (string arg in task.Args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        foreach ((string key, string value) in task.Env ?? [])
        {
            startInfo.Environment[key] = value;
        }

        return startInfo;
    }

    /// <summary>Finds the program as exec would: a path as given (relative to the task's cwd), a bare name on PATH.</summary>
    internal static string? ResolveProgram(string command, string? cwd)
    {
        if (command.Length == 0)
        {
            return null;
        }

        if (command.Contains('/', StringComparison.Ordinal))
        {
            string path = Path.IsPathRooted(command) ? command : Path.GetFullPath(Path.Combine(cwd ?? Environment.CurrentDirectory, command));
            return File.Exists(path) ? path : null;
        }

        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, command);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static ExecOutcome StartFailure(ExecOutcome outcome, int exitCode, string error)
    {
        outcome.ExitCode = exitCode;
        outcome.Error = error;
        outcome.NotStarted = true;
        return outcome;
    }
}
