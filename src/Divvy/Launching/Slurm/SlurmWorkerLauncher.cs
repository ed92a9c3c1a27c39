using System.Globalization;
using System.Net;
using Divvy.Transport.Tcp;
using Microsoft.Extensions.Logging;

namespace Divvy.Launching.Slurm;

/// <summary>
/// Asks Slurm for the workers the scheduler launches, and lets them dial back: the slots and the
/// listening are <see cref="ExternalWorkerLauncher"/>'s, this adds the submitting. Inside an
/// allocation each worker is an <c>srun</c> step of it; outside, the launches of one scheduler
/// step become one <c>sbatch --array</c>. Workers find the master in <c>DIVVY_CONNECT</c> and the
/// token in a file named by <c>DIVVY_TOKEN_FILE</c> (never on a command line, never in the job's
/// script). When the run ends, what it submitted is cancelled.
/// </summary>
internal sealed class SlurmWorkerLauncher : IWorkerLauncher, ISlurmWorkerSource, IAsyncDisposable
{
    // The launches of one scheduler step arrive within microseconds, those of a run's first items
    // within milliseconds: one submission for all of them (Slurm takes a second to start a task anyway).
    private static readonly TimeSpan s_gather = TimeSpan.FromMilliseconds(200);

    // How long a dropped worker's end may take to reach Slurm's records (a fraction of a second
    // here); well inside the 5 s the scheduler gives a worker's end after its channel closed.
    private static readonly TimeSpan s_explainWait = TimeSpan.FromSeconds(3);

    private readonly ExternalWorkerLauncher _listener;
    private readonly MasterOptions _options;
    private readonly ILogger _log;
    private readonly SlurmRunFiles _files;
    private readonly WorkerCommand _command;
    private readonly Dictionary<string, string?> _environment;
    private readonly bool _asSteps;
    private readonly Lock _gate = new();
    private readonly List<string> _jobIds = [];
    private readonly Dictionary<string, SlurmStep> _steps = [];
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _submitting;
    private int _wanted;
    private int _requested;
    private int? _maxArraySize;

    private SlurmWorkerLauncher(ExternalWorkerLauncher listener, MasterOptions options, ILogger log, SlurmRunFiles files, string advertised)
    {
        _listener = listener;
        _options = options;
        _log = log;
        _files = files;
        _command = WorkerCommand.ForCurrentProcess();
        _asSteps = options.Slurm.Mode == SlurmLaunchMode.Steps
            || (options.Slurm.Mode == SlurmLaunchMode.Auto && Environment.GetEnvironmentVariable("SLURM_JOB_ID") is { Length: > 0 });
        _environment = new Dictionary<string, string?>
        {
            [WorkerEnvironment.ConnectVariable] = advertised,
            [TcpToken.FileVariable] = files.TokenFile,

            // The token travels only in its file: never in the environment Slurm stores with the job.
            [TcpToken.ValueVariable] = null,
        };
        Advertised = advertised;
        listener.ExplainMissingWorkers = ExplainMissingWorkers;
        _submitting = SubmitLoopAsync();
    }

    /// <summary>What workers dial: <c>HOST:PORT</c>.</summary>
    public string Advertised { get; }

    /// <summary>The Slurm job name of everything this run submits.</summary>
    public string JobName => _files.JobName;

    /// <summary>Listens for the run's workers and prepares its token; nothing is submitted before the first launch.</summary>
    /// <exception cref="RunSetupException">The token file cannot be written, or the address cannot be bound.</exception>
    public static SlurmWorkerLauncher Start(MasterOptions options, ILogger log)
    {
        SlurmRunFiles files = SlurmRunFiles.Create(options.TokenFile);
        try
        {
            IPEndPoint listen = options.SlurmListen;
            ExternalWorkerLauncher listener = ExternalWorkerLauncher.Start(options, log, listen, files.TokenFile);
            string host = options.Advertise
                ?? (listen.Address.Equals(IPAddress.Any) || listen.Address.Equals(IPAddress.IPv6Any) ? Dns.GetHostName() : listen.Address.ToString());
            string advertised = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]:{listener.Address.Port}" : $"{host}:{listener.Address.Port}";
            return new SlurmWorkerLauncher(listener, options, log, files, advertised);
        }
        catch
        {
            files.Dispose();
            throw;
        }
    }

    public async ValueTask<IWorkerHandle> LaunchAsync(int slot, CancellationToken cancellationToken)
    {
        IWorkerHandle handle = await _listener.LaunchAsync(slot, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _wanted++;
        }

        _wake.Release();
        return new SlurmWorkerHandle(handle, _options.Slurm.TimeLimit, this);
    }

    public Task<WorkerEnd> ExplainAsync(string launchId, WorkerEnd lost)
    {
        if (!_asSteps)
        {
            // An array task's launch id is its Slurm id, JOB_TASK.
            return SlurmJobQueries.ExplainAsync(launchId, lost, s_explainWait);
        }

        SlurmStep? step;
        lock (_gate)
        {
            _steps.TryGetValue(launchId, out step);
        }

        return step is null ? Task.FromResult(lost) : step.ExplainAsync(lost, s_explainWait);
    }

    public void Withdraw()
    {
        lock (_gate)
        {
            _wanted--;
            if (_wanted >= _requested || _stopping.IsCancellationRequested || _asSteps)
            {
                // Not submitted yet (one less will be); or the run is ending (everything is
                // cancelled then); or an srun step, which waits for its worker to come and stop.
                return;
            }
        }

        _ = CancelOnePendingAsync();
    }

    /// <summary>Cancels one task of the run still pending in Slurm's queue; when none is (each one is starting), the surplus worker is turned away when it dials in.</summary>
    private async Task CancelOnePendingAsync()
    {
        try
        {
            SlurmCommand pending = await SlurmCommand.RunAsync("squeue", ["-h", "-r", "-t", "PENDING", $"--name={JobName}", "-o", "%i"], cancellationToken: _stopping.Token).ConfigureAwait(false);
            if (pending.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is not [.., string task])
            {
                return;
            }

            SlurmCommand cancelled = await SlurmCommand.RunAsync("scancel", ["-t", "PENDING", task], cancellationToken: _stopping.Token).ConfigureAwait(false);
            if (cancelled.Succeeded)
            {
                lock (_gate)
                {
                    _requested--;
                }

                Console.Error.WriteLine($"divvy: cancelled Slurm task {task}, still pending: the run needs one worker less");
            }
        }
        catch (Exception ex) when (ex is WorkerSpawnException or OperationCanceledException)
        {
            // Best effort: the run's end cancels whatever is left.
        }
    }

    public Task<TimeSpan?> TimeLeftAsync(string? launchId) =>
        (_asSteps ? Environment.GetEnvironmentVariable("SLURM_JOB_ID") : launchId) is { Length: > 0 } job
            ? SlurmJobQueries.TimeLeftAsync(job)
            : Task.FromResult<TimeSpan?>(null);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _submitting.ConfigureAwait(false);
        await _listener.DisposeAsync().ConfigureAwait(false);

        string[] jobs;
        SlurmStep[] steps;
        lock (_gate)
        {
            jobs = [.. _jobIds];
            steps = [.. _steps.Values];
        }

        if (jobs.Length > 0)
        {
            // Tasks that never started (or still run) go now: nothing of the run stays queued.
            try
            {
                SlurmCommand cancelled = await SlurmCommand.RunAsync("scancel", jobs).ConfigureAwait(false);
                if (!cancelled.Succeeded)
                {
                    _log.LogWarning("scancel {Jobs} failed: {Error}", string.Join(' ', jobs), cancelled.Failure);
                }
            }
            catch (WorkerSpawnException ex)
            {
                _log.LogWarning("could not cancel Slurm jobs {Jobs}: {Error}", string.Join(' ', jobs), ex.Message);
            }
        }

        foreach (SlurmStep step in steps)
        {
            // Steps end when their workers do (told to stop, or losing the master).
            await step.EndAsync().ConfigureAwait(false);
            step.Dispose();
        }

        _files.Dispose();
        _wake.Dispose();
        _stopping.Dispose();
    }

    /// <summary>Submits what the scheduler asked for, gathered per scheduler step, until the run ends.</summary>
    private async Task SubmitLoopAsync()
    {
        try
        {
            while (true)
            {
                await _wake.WaitAsync(_stopping.Token).ConfigureAwait(false);
                await Task.Delay(s_gather, _stopping.Token).ConfigureAwait(false);
                int count;
                lock (_gate)
                {
                    // Counted as requested now: a slot given up meanwhile finds its task submitted (and cancels it).
                    count = _wanted - _requested;
                    _requested += Math.Max(count, 0);
                }

                if (count <= 0)
                {
                    continue;
                }

                if (_asSteps)
                {
                    StartSteps(count);
                }
                else
                {
                    await SubmitArrayAsync(count).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The run is over.
        }
        catch (WorkerSpawnException ex)
        {
            // Slurm refused the workers: the slots waiting for them fail, and with them the run.
            _listener.FailPending(ex);
        }
    }

    /// <summary>Submits <paramref name="count"/> workers as arrays of at most the cluster's MaxArraySize tasks each.</summary>
    private async Task SubmitArrayAsync(int count)
    {
        _maxArraySize ??= await ReadMaxArraySizeAsync().ConfigureAwait(false);
        for (int left = count; left > 0;)
        {
            int size = Math.Min(left, _maxArraySize.Value);
            await SubmitOneArrayAsync(size).ConfigureAwait(false);
            left -= size;
        }
    }

    /// <summary>The cluster's MaxArraySize (an array's indices run below it), from <c>scontrol show config</c>; Slurm's default when it cannot be read.</summary>
    private async Task<int> ReadMaxArraySizeAsync()
    {
        try
        {
            SlurmCommand config = await SlurmCommand.RunAsync("scontrol", ["show", "config"], cancellationToken: _stopping.Token).ConfigureAwait(false);
            return config.Succeeded ? SlurmConfig.MaxArraySize(config.Output) : SlurmConfig.DefaultMaxArraySize;
        }
        catch (WorkerSpawnException)
        {
            return SlurmConfig.DefaultMaxArraySize;
        }
    }

    private async Task SubmitOneArrayAsync(int count)
    {
        var arguments = new List<string> { "--parsable", $"--job-name={JobName}", $"--array=0-{count - 1}", "--output=/dev/null", $"--error={_files.ErrorLogPattern}" };
        AddRequest(arguments);
        string script = $"#!/bin/sh\n# a Divvy worker: it dials back to its master ({Advertised})\n"
            + $"export {WorkerEnvironment.LaunchIdVariable}=\"${{SLURM_ARRAY_JOB_ID}}_${{SLURM_ARRAY_TASK_ID}}\"\n"
            + $"exec {SlurmScript.Quote(_command.FileName, _command.Arguments)}\n";
        SlurmCommand submitted = await SlurmCommand.RunAsync("sbatch", arguments, script, _environment, _stopping.Token).ConfigureAwait(false);
        if (!submitted.Succeeded)
        {
            throw new WorkerSubmitException($"sbatch refused the run's {count} worker(s): {submitted.Failure}");
        }

        // --parsable prints "id" or "id;cluster".
        string id = submitted.Output.Trim().Split(';')[0];
        lock (_gate)
        {
            _jobIds.Add(id);
        }

        Console.Error.WriteLine($"divvy: submitted Slurm job array {id} ({count} worker{(count == 1 ? "" : "s")}, job name {JobName})");
    }

    private void StartSteps(int count)
    {
        for (int i = 0; i < count; i++)
        {
            var arguments = new List<string> { "--ntasks=1", "--nodes=1", "--exact", $"--job-name={JobName}" };
            AddRequest(arguments, forSteps: true);
            arguments.Add(_command.FileName);
            arguments.AddRange(_command.Arguments);
            lock (_gate)
            {
                // The worker says its step's tag back when it is ready: srun's exit is how it ended.
                SlurmStep step = SlurmStep.Start($"step-{_steps.Count + 1}", arguments, _environment);
                _steps.Add(step.LaunchId, step);
            }
        }

        Console.Error.WriteLine($"divvy: started {count} worker(s) as srun steps of Slurm job {Environment.GetEnvironmentVariable("SLURM_JOB_ID")}");
    }

    /// <summary>The flags of <see cref="SlurmOptions"/>, then its extra arguments.</summary>
    private void AddRequest(List<string> arguments, bool forSteps = false)
    {
        SlurmOptions slurm = _options.Slurm;
        if (!forSteps && slurm.Partition is { } partition)
        {
            arguments.Add($"--partition={partition}");
        }

        if (!forSteps && slurm.Account is { } account)
        {
            arguments.Add($"--account={account}");
        }

        if (slurm.TimeLimit is { } time)
        {
            // Slurm's days-hours:minutes:seconds; it rounds up to whole minutes.
            arguments.Add(string.Create(CultureInfo.InvariantCulture, $"--time={(int)time.TotalDays}-{time.Hours:00}:{time.Minutes:00}:{time.Seconds:00}"));
        }

        arguments.AddRange(slurm.ExtraArguments);
    }

    /// <summary>For the connect-timeout error: Slurm's own view of what the run submitted.</summary>
    private string? ExplainMissingWorkers()
    {
        string[] jobs;
        lock (_gate)
        {
            jobs = [.. _jobIds];
        }

        string dial = $"workers dial {Advertised} (set {_options.Vocabulary.Name(nameof(MasterOptions.Advertise))} if the nodes reach this machine by another name)";
        if (jobs.Length == 0)
        {
            return _asSteps ? $"the srun steps started, but none connected; {dial}" : $"nothing was submitted to Slurm yet; {dial}";
        }

        try
        {
            // -r: one line per array task, so the counts are of workers.
            SlurmCommand queue = SlurmCommand.RunAsync("squeue", ["-h", "-r", "-j", string.Join(',', jobs), "-o", "%i %T %r"]).GetAwaiter().GetResult();
            string states = SlurmQueue.Summarize(queue.Output);
            return $"Slurm job {string.Join(", ", jobs)}: {(states.Length > 0 ? states : "no task left in the queue")}; {dial}; worker errors, if any, in {_files.Directory}";
        }
        catch (WorkerSpawnException ex)
        {
            return $"Slurm job {string.Join(", ", jobs)} (squeue failed: {ex.Message}); {dial}";
        }
    }
}
