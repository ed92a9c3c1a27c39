using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Divvy.Jobs;
using Divvy.Launching;
using Divvy.Launching.Slurm;
using Divvy.Monitoring;
using Divvy.Scheduling;
using Divvy.Transport.Tcp;
using Divvy.Worker;
using Microsoft.Extensions.Logging;

namespace Divvy;

/// <summary>
/// Runs a job across worker processes. In the program you start, <see cref="Run"/> is the master:
/// it launches this same program again as each worker, sends items to whichever worker is free and
/// returns a <see cref="RunSummary"/>. In those worker processes the very same call becomes the
/// worker loop and never returns.
/// </summary>
/// <remarks>
/// Because workers re-run the program from the top, code before <c>Run()</c> runs in every worker
/// too, as with Python's "spawn" start method: keep it cheap and free of side effects that must
/// happen once (or check <see cref="IsWorker"/>). Code after <c>Run()</c> runs in the master only.
/// </remarks>
/// <example>
/// <code>
/// var summary = new Master(new DanceParty(), 5).Run();
/// </code>
/// </example>
public sealed partial class Master
{
    private readonly IJob _job;
    private readonly MasterOptions _options;
    private Scheduler? _running;

    /// <summary>
    /// Creates a master for <paramref name="job"/> with <paramref name="workers"/> worker processes
    /// and the options the job's <c>Configure</c> sets (defaults for the rest).
    /// </summary>
    /// <exception cref="JobDefinitionException">The job lacks Dispatch or Perform, or declares a hook with the wrong signature.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workers"/> is not between 0 (in process, see <see cref="MasterOptions.Workers"/>) and 1024, or <c>Configure</c> set an option out of its range.</exception>
    public Master(IParallelizable job, int workers)
        : this(JobBinder.Bind(job), null, workers)
    {
    }

    /// <summary>
    /// Creates a master for <paramref name="job"/> with the given options, taken as they are (a copy:
    /// later changes to <paramref name="options"/> do not reach the run). The job's <c>Configure</c>
    /// is not called on them: start them from <see cref="OptionsFor"/> to keep the job's defaults
    /// and override some. When <paramref name="options"/> is <c>null</c>, the options are
    /// <see cref="OptionsFor"/>'s.
    /// </summary>
    /// <exception cref="JobDefinitionException">The job lacks Dispatch or Perform, or declares a hook with the wrong signature.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its documented range.</exception>
    public Master(IParallelizable job, MasterOptions? options = null)
        : this(JobBinder.Bind(job), options, null)
    {
    }

    /// <summary>A master for a job already bound (a front end's decorator of it: <c>divvy serve</c>).</summary>
    internal Master(IJob job, MasterOptions options)
        : this(job, options, null)
    {
    }

    private Master(IJob job, MasterOptions? options, int? workers)
    {
        _job = job;
        MasterOptions chosen = options?.Clone() ?? Configured(job);
        if (workers is { } count)
        {
            chosen.Workers = count;
        }

        // A worker's loop takes its settings from the master's Start message, and the master has
        // refused bad options before any worker existed: checking them again costs each worker
        // the checks' start-up and nothing else.
        _options = WorkerEnvironment.IsWorkerProcess ? chosen : chosen.Validated();
    }

    /// <summary>
    /// Fresh options with <paramref name="job"/>'s defaults: what its <c>Configure</c> sets, the
    /// library's defaults for the rest. Change what you want to override, then pass them to
    /// <see cref="Master(IParallelizable, MasterOptions?)"/>; this is how <c>divvy</c> lets its
    /// command-line flags win over the job's defaults. In a worker process <c>Configure</c> is not
    /// called (the options are the master's business).
    /// </summary>
    /// <exception cref="JobDefinitionException">The job lacks Dispatch or Perform, or declares a hook with the wrong signature.</exception>
    public static MasterOptions OptionsFor(IParallelizable job) => Configured(JobBinder.Bind(job));

    private static MasterOptions Configured(IJob job)
    {
        var options = new MasterOptions();
        if (!WorkerEnvironment.IsWorkerProcess)
        {
            job.Configure(options);
        }

        return options;
    }

    /// <summary>The options the run will use, for tests.</summary>
    internal MasterOptions Options => _options;

    /// <summary>Launches the workers instead of <see cref="MasterOptions.Launcher"/>'s local processes, for tests (workers in the test's own process).</summary>
    internal IWorkerLauncher? Launcher { get; init; }

    /// <summary><c>true</c> in a worker process launched by a master; <c>false</c> in the program you started.</summary>
    public static bool IsWorker => WorkerEnvironment.IsWorkerProcess;

    /// <summary>
    /// The number of workers the run aims for: <see cref="MasterOptions.Workers"/> until
    /// <see cref="Resize"/> changes it.
    /// </summary>
    public int Workers => _running?.TargetWorkers ?? _options.Workers;

    /// <summary>How the run is going; all zero before it starts. Safe to read from any thread.</summary>
    public RunProgress Progress => _running?.Progress ?? default;

    /// <summary>
    /// The summary of the run once it has ended, as <see cref="Run"/> returns it; <c>null</c> before,
    /// and after a run that threw. With <see cref="RunStreamingAsync{TItem, TResult}"/>, set at the
    /// latest when the enumeration ends.
    /// </summary>
    public RunSummary? Summary { get; private set; }

    /// <summary>
    /// Changes the number of workers while the run goes on: growing launches workers as work needs
    /// them; shrinking retires idle workers first and never interrupts an item; 0 pauses dispatch
    /// until the pool grows again. Safe to call from any thread; before the run starts it sets
    /// the initial size.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workers"/> is not between 0 and 1024.</exception>
    public void Resize(int workers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(workers);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(workers, Scheduler.MaxWorkers);
        if (_running is { } scheduler)
        {
            scheduler.Resize(workers);
        }
        else
        {
            _options.Workers = Math.Max(1, workers);
        }
    }

    /// <summary>Runs the job to the end and returns what happened. In a worker, never returns.</summary>
    /// <exception cref="BootFailureException">Workers kept dying before completing an item.</exception>
    /// <exception cref="ItemSerializationException">An item cannot be serialized.</exception>
    /// <exception cref="WorkerSpawnException">Workers cannot be launched, or this is a worker trying to launch its own.</exception>
    /// <exception cref="RunSetupException">The metrics endpoint cannot listen on <see cref="MasterOptions.MetricsHost"/>:<see cref="MasterOptions.MetricsPort"/>, or an external run cannot listen on <see cref="MasterOptions.Listen"/> or has no usable token.</exception>
    /// <exception cref="WorkerConnectTimeoutException">An external run had no connected worker for <see cref="MasterOptions.ConnectTimeout"/> while it needed one.</exception>
    public RunSummary Run()
    {
        if (WorkerEnvironment.IsWorkerProcess)
        {
            RunAsWorker();
        }

        return RunAsMasterAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Runs the job to the end. Cancelling <paramref name="cancellationToken"/> stops the run as
    /// Ctrl-C does (no new items, items in hand finish) and returns a summary with
    /// <see cref="StopReason.Cancelled"/> rather than throwing. In a worker, never returns: the
    /// worker loop runs on the calling thread and the process exits at its end.
    /// </summary>
    /// <exception cref="BootFailureException">Workers kept dying before completing an item.</exception>
    /// <exception cref="ItemSerializationException">An item cannot be serialized.</exception>
    /// <exception cref="WorkerSpawnException">Workers cannot be launched, or this is a worker trying to launch its own.</exception>
    /// <exception cref="RunSetupException">The metrics endpoint cannot listen on <see cref="MasterOptions.MetricsHost"/>:<see cref="MasterOptions.MetricsPort"/>, or an external run cannot listen on <see cref="MasterOptions.Listen"/> or has no usable token.</exception>
    /// <exception cref="WorkerConnectTimeoutException">An external run had no connected worker for <see cref="MasterOptions.ConnectTimeout"/> while it needed one.</exception>
    public Task<RunSummary> RunAsync(CancellationToken cancellationToken = default)
    {
        if (WorkerEnvironment.IsWorkerProcess)
        {
            RunAsWorker();
        }

        return RunAsMasterAsync(cancellationToken);
    }

    private async Task<RunSummary> RunAsMasterAsync(CancellationToken cancellationToken, ResultRelay? stream = null)
    {
        Summary = null;
        await using IAsyncDisposable? remote = _options.Launcher switch
        {
            WorkerLauncherKind.External => StartExternal(),
            WorkerLauncherKind.Slurm => StartSlurm(),
            _ => null,
        };
        bool inProcess = _options.Workers == 0;
        IWorkerLauncher launcher = remote as IWorkerLauncher
            ?? Launcher
            ?? (inProcess ? InProcess() : new LocalProcessLauncher(WorkerCommand.ForCurrentProcess(), Console.Error, _options.WorkerStandardOutput, _options.MaxFrameSize));
        using var scheduler = new Scheduler(_job, inProcess ? _options.ForInProcess() : _options, launcher, stream);

        // The endpoint (the dashboard, /metrics) exists only when asked for: it loads a web server.
        await using IAsyncDisposable? endpoint = Endpoint() is { } chosen ? await StartEndpointAsync(chosen, scheduler, cancellationToken).ConfigureAwait(false) : null;
        using IDisposable signals = _options.HandleSignals ? InstallSignalHandlers(scheduler) : NoSignals.Instance;
        using CancellationTokenRegistration cancellation = cancellationToken.Register(() => scheduler.RequestStop(StopReason.Cancelled, force: false));
        _running = scheduler;
        RunSummary summary = await scheduler.RunAsync().ConfigureAwait(false);
        Summary = summary;
        return summary;
    }

    /// <summary>The worker loop on a thread of this process (<see cref="MasterOptions.Workers"/> 0).</summary>
    private InProcessWorkerLauncher InProcess() => _job is Worker.IWorkerJob worker
        ? new InProcessWorkerLauncher(worker, _options.MaxFrameSize)
        : throw new RunSetupException("this front end cannot run its job in process (Workers = 0)");

    /// <summary>Listens for workers that dial in, and says where, so a user can start them.</summary>
    private ExternalWorkerLauncher StartExternal()
    {
        // Results come from the network: read them as untrusted data.
        Serialization.UseUntrustedData();
        ILogger log = _options.LoggerFactory.CreateLogger("Divvy.Master");
        ExternalWorkerLauncher launcher = ExternalWorkerLauncher.Start(_options, log);
        string address = TcpAddress.Format(launcher.Address);
        Console.Error.WriteLine($"divvy: listening for workers on {address}; start them with: divvy worker --connect {address} job.dll (and the run's token)");
        return launcher;
    }

    /// <summary>Listens for workers and has Slurm start them; says where they dial.</summary>
    private SlurmWorkerLauncher StartSlurm()
    {
        // Results come from the network: read them as untrusted data.
        Serialization.UseUntrustedData();
        ILogger log = _options.LoggerFactory.CreateLogger("Divvy.Master");
        SlurmWorkerLauncher launcher = SlurmWorkerLauncher.Start(_options, log);
        Console.Error.WriteLine($"divvy: Slurm workers will dial {launcher.Advertised} (job name {launcher.JobName})");
        return launcher;
    }

    /// <summary>
    /// The worker loop of <c>divvy worker</c>, which dialled its master before loading the job (the
    /// job's arguments come from the master). Returns the process exit code.
    /// </summary>
    internal static Task<int> RunConnectedWorkerAsync(IParallelizable job, TcpSession session) =>
        JobBinder.Bind(job).RunWorkerAsync(WorkerStreams.ForSession(session));

    /// <summary>The run's endpoint: the one the options give, else the dashboard's when <see cref="MasterOptions.MetricsPort"/> is set.</summary>
    private IRunEndpoint? Endpoint() => _options.Endpoint ?? (_options.MetricsPort is null ? null : DashboardLoader.Load());

    /// <summary>A method of its own, so that a run without an endpoint never loads the monitoring types.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private async Task<IAsyncDisposable> StartEndpointAsync(IRunEndpoint endpoint, Scheduler scheduler, CancellationToken cancellationToken)
    {
        var monitor = new RunMonitor(scheduler, _options, _job.JobType.Name);
        return await endpoint.StartAsync(monitor, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The whole life of a worker, on the calling thread, and synchronous up to the worker loop: every
    /// async method on a worker's start path costs each worker its own JIT-compiled state machine
    /// plumbing (measured: about 8 framework methods per method), for nothing to overlap with.
    /// </summary>
    [DoesNotReturn]
    private void RunAsWorker()
    {
        WorkerEndpoint endpoint;
        try
        {
            endpoint = WorkerEnvironment.ClaimEndpoint();
        }
        catch (WorkerSpawnException ex) when (!WorkerEnvironment.IsEndpointClaimed)
        {
            // A broken marker: this process is neither a usable worker nor allowed to be a master.
            Console.Error.WriteLine($"divvy: {ex.Message}");
            Environment.Exit(WorkerExitCodes.BadMarker);
            throw;
        }

        int exitCode = _job.RunWorker(endpoint);

        // The worker loop is the whole life of a worker: user code after Run() belongs to the master.
        Environment.Exit(exitCode);
        throw new UnreachableException();
    }
}
