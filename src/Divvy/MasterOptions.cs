using System.Net;
using Divvy.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Divvy;

/// <summary>How a <see cref="Master"/> runs its workers. Every property has a default that suits most jobs.</summary>
public sealed class MasterOptions
{
    private ILoggerFactory? _loggerFactory;
    private bool _loggerFactorySet;

    /// <summary>Default for <see cref="MaxFrameSize"/>: 64 MiB.</summary>
    public const int DefaultMaxFrameSize = 64 * 1024 * 1024;

    /// <summary>
    /// Number of worker processes. Default: <see cref="Environment.ProcessorCount"/>. Range 0 to 1024.
    /// Workers are launched lazily, so a run with fewer items than workers starts fewer processes.
    /// 0 runs in process, for debugging: <c>Dispatch</c>, the hooks and <c>Perform</c> all run in the
    /// calling process, one item at a time, through the same scheduler (same retries, results and
    /// summary), so breakpoints in <c>Perform</c> work; a timeout cancels the item's token but nothing
    /// can be killed, and only <see cref="WorkerLauncherKind.Local"/> is allowed.
    /// </summary>
    public int Workers { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Largest message, in bytes, either side accepts; checked before allocating. An item or result
    /// larger than this fails on its own without harming the run. Default 64 MiB; range 1 KiB to 1 GiB.
    /// </summary>
    public int MaxFrameSize { get; set; } = DefaultMaxFrameSize;

    /// <summary>
    /// Most items one worker holds at once, the one it performs included. Divvy adapts the number
    /// between 1 and this bound from measured item durations, so fast items are pipelined and a slow
    /// item never waits behind another. 1 turns prefetching off. Default 256; range 1 to 65,536.
    /// </summary>
    public int MaxPrefetch { get; set; } = 256;

    /// <summary>
    /// Most items one worker performs at once: up to this many <c>PerformAsync</c> calls run side by
    /// side in each worker, each with its own timeout and result, and results come back as they
    /// complete. For latency-bound items (waiting on the network, a disk, a sleep); CPU-bound items
    /// gain nothing. A crash takes every item the worker was running with it (see the README on
    /// poison). The prefetch window is never below this. Default 1 (one at a time, in order);
    /// range 1 to 1,024.
    /// </summary>
    public int MaxConcurrentItemsPerWorker { get; set; } = 1;

    /// <summary>
    /// Consecutive workers allowed to die before completing any item before the run stops with a
    /// <see cref="BootFailureException"/>. Default 3; range 1 to 1,000.
    /// </summary>
    public int MaxBootFailures { get; set; } = 3;

    /// <summary>
    /// Ceiling on worker launches per second, respawns included, after an initial burst of
    /// <see cref="Workers"/>: a safety net against crash loops. Default 20; range 1 to 10,000.
    /// </summary>
    public int MaxSpawnsPerSecond { get; set; } = 20;

    /// <summary>
    /// How long workers get to exit after being told to stop before they are killed. Default 10 s;
    /// range 0 to 1 hour.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether the run handles SIGINT and SIGQUIT (graceful stop; a second SIGINT forces) and
    /// SIGTERM (kill the workers) while it runs. Default <c>true</c>.
    /// </summary>
    public bool HandleSignals { get; set; } = true;

    /// <summary>
    /// How many times an item is tried again after an attempt that did not succeed (an exception
    /// other than <see cref="FailItemException"/>, a timeout, a crashed worker). Default 0; range 0 to 1,000.
    /// </summary>
    public int MaxRetries { get; set; }

    /// <summary>
    /// A file that records every settled item (<c>divvy --journal</c>), so that a later run with the
    /// same file skips the items already settled (reported as <see cref="ItemStatus.Skipped"/>) and
    /// performs the rest: a run stopped, killed or crashed part way resumes where it was. Items are
    /// known by the key their job gives (<c>ItemKey</c>) or else by a hash of their serialized
    /// bytes. Created if missing; locked while the run has it open. Default <c>null</c>: no journal.
    /// </summary>
    public string? Journal { get; set; }

    /// <summary>
    /// With a <see cref="Journal"/>, items that settled earlier without succeeding (failed, crashed,
    /// timed out, quarantined) run again instead of being skipped (<c>divvy --retry-failed</c>).
    /// Default <c>false</c>.
    /// </summary>
    public bool RetryFailed { get; set; }

    /// <summary>
    /// Delay before the first retry; each further retry doubles it, up to <see cref="RetryMaxDelay"/>,
    /// and a random jitter of up to half the delay is taken off so retries do not arrive in step.
    /// Default 200 ms; range 0 to 1 hour.
    /// </summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest delay between retries. Default 30 s; range <see cref="RetryBaseDelay"/> to 1 day.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// An item that was held by this many crashed workers is quarantined as poison: reported,
    /// never retried again. Default 2; range 1 to 100.
    /// </summary>
    public int PoisonThreshold { get; set; } = 2;

    /// <summary>
    /// An item held by this many workers whose connection was lost (a remote worker that dropped
    /// or went silent) is quarantined. Lost connections are not the item's fault: they neither
    /// use up <see cref="MaxRetries"/> nor count toward <see cref="PoisonThreshold"/>; this cap
    /// stops an item that takes down every worker it touches. Default 3; range 1 to 1,000.
    /// </summary>
    public int MaxConnectionLosses { get; set; } = 3;

    /// <summary>
    /// Soft per-item deadline: when it passes, the item's <see cref="CancellationToken"/> is
    /// cancelled in the worker. Default <c>null</c> (no timeout); range 1 ms to 1 day.
    /// </summary>
    public TimeSpan? ItemTimeout { get; set; }

    /// <summary>
    /// How long after <see cref="ItemTimeout"/> an item that ignores its token may still run before
    /// the master kills its worker (and everything it started) and records the item timed out.
    /// Default 5 s; range 0 to 1 hour.
    /// </summary>
    public TimeSpan ItemTimeoutGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the master checks that each worker still answers. Default 5 s; range 10 ms to 1 hour.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A worker silent this long (no answer to heartbeats, which its reader thread gives even
    /// mid-item) is killed and replaced. Default 30 s; range above <see cref="HeartbeatInterval"/> to 1 day.
    /// </summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Recycle a worker after about this many items (each worker draws a limit up to 10% higher, so
    /// they do not all recycle together). Default <c>null</c> (never); range 1 and up.
    /// </summary>
    public long? MaxItemsPerWorker { get; set; }

    /// <summary>Recycle a worker whose resident memory, checked between items, passes this many bytes. Default <c>null</c>; at least 1 MiB.</summary>
    public long? MaxWorkerMemory { get; set; }

    /// <summary>Recycle a worker older than this, between items. Default <c>null</c>; range 10 ms to 365 days.</summary>
    public TimeSpan? MaxWorkerAge { get; set; }

    /// <summary>When to stop the run because items keep failing. Default <see cref="HaltPolicy.Never"/>.</summary>
    public HaltPolicy Halt { get; set; } = HaltPolicy.Never;

    /// <summary>
    /// Serve the run's dashboard on this port while the run lasts: a live web page at <c>/</c>,
    /// <c>/metrics</c> (Prometheus text), <c>/herd</c> (pool size, resizable with the token) and
    /// <c>/stop</c>. Needs the Divvy.Dashboard package (the <c>divvy</c> tool has it). Default
    /// <c>null</c> (no endpoint); range 1 to 65,535.
    /// </summary>
    public int? MetricsPort { get; set; }

    /// <summary>The address the endpoint binds to. Default <c>127.0.0.1</c>, loopback only.</summary>
    public string MetricsHost { get; set; } = "127.0.0.1";

    /// <summary>
    /// The bearer token that resizing and stopping the run through the endpoint require. Default
    /// <c>null</c>: a random one is made and printed on stderr when the endpoint starts. At least 8
    /// characters when given.
    /// </summary>
    public string? ControlToken { get; set; }

    /// <summary>
    /// Keep serving the endpoint this long after the run ends, so a scraper or the page sees the
    /// final counts. Default 0; range 0 to 1 hour.
    /// </summary>
    public TimeSpan MetricsLinger { get; set; }

    /// <summary>
    /// What serves the run while it lasts, when it is not the Divvy.Dashboard package's endpoint
    /// that <see cref="MetricsPort"/> starts. Default <c>null</c>.
    /// </summary>
    public Monitoring.IRunEndpoint? Endpoint { get; set; }

    /// <summary>
    /// How workers come to exist. Default <see cref="WorkerLauncherKind.Local"/>: the master starts
    /// them as child processes. <see cref="WorkerLauncherKind.External"/> needs <see cref="Listen"/>:
    /// the master waits there for workers started by anyone, and <see cref="Workers"/> is the number
    /// of slots they may fill.
    /// </summary>
    public WorkerLauncherKind Launcher { get; set; } = WorkerLauncherKind.Local;

    /// <summary>
    /// Where an <see cref="WorkerLauncherKind.External"/> run listens for workers. Only this address is
    /// bound: keep it on loopback unless workers come from other machines. Port 0 lets the system pick
    /// one; the bound address is printed on stderr. Default <c>null</c>; required with
    /// <see cref="WorkerLauncherKind.External"/>; with <see cref="WorkerLauncherKind.Slurm"/>, every
    /// address on a free port (workers run on other machines); refused with local workers.
    /// </summary>
    public IPEndPoint? Listen { get; set; }

    /// <summary>
    /// The host name or address workers dial, when it is not the one <see cref="Listen"/> binds
    /// (a run listening on every address, or behind a name workers resolve differently). Default
    /// <c>null</c>: the bound address, or for a Slurm run listening on every address, this host's name.
    /// </summary>
    public string? Advertise { get; set; }

    /// <summary>How a <see cref="WorkerLauncherKind.Slurm"/> run submits its workers (partition, walltime, account, more arguments).</summary>
    public SlurmOptions Slurm { get; set; } = new();

    /// <summary>
    /// The file holding the run's token, which every TCP worker must prove it knows. Created with a
    /// random 256-bit token and mode 0600 when absent; read when present (and refused when others may
    /// read it). Default <c>null</c>: the token comes from the <c>DIVVY_TOKEN</c> environment variable.
    /// </summary>
    public string? TokenFile { get; set; }

    /// <summary>
    /// How long an <see cref="WorkerLauncherKind.External"/> run may go without any connected worker
    /// while it needs one (from its start, or since its last worker left) before it stops with a
    /// <see cref="WorkerConnectTimeoutException"/>. Default 2 min; range 100 ms to 1 day.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Where lifecycle events (spawn, exit, respawn) are logged. Default: nowhere.</summary>
    public ILoggerFactory LoggerFactory
    {
        // The default is looked up when asked for, not when options are created: a worker, which
        // creates options but never logs, then does not load the logging assembly at all.
        get => _loggerFactorySet ? _loggerFactory! : NullLoggerFactory.Instance;
        set
        {
            _loggerFactory = value;
            _loggerFactorySet = true;
        }
    }

    /// <summary>The clock used for durations and throttling. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Where workers' standard output goes. <c>null</c> (the default): workers inherit the master's
    /// stdout and write to it directly. Set (by the <c>divvy</c> command while it draws its progress
    /// line on the same terminal): each worker's stdout is a pipe the master reads, and whole lines
    /// are written here, several lines per <see cref="Stream.Write(byte[], int, int)"/> call at most.
    /// </summary>
    internal Stream? WorkerStandardOutput { get; set; }

    /// <summary>
    /// Launch every worker at once and keep the pool full, items waiting or not (<c>divvy serve</c>:
    /// the first request must not wait for a process to start). By default launches are lazy.
    /// </summary>
    internal bool KeepWorkersWarm { get; set; }

    /// <summary>The job's arguments, which an external run tells each worker that dials in (the <c>divvy</c> command sets them).</summary>
    internal IReadOnlyList<string> JobArguments { get; set; } = [];

    /// <summary>How messages about options name them: <c>MasterOptions.ShutdownTimeout</c>, or the <c>divvy</c> command's flags.</summary>
    internal OptionVocabulary Vocabulary { get; set; } = OptionVocabulary.Api;

    // The documented ranges, written once: Validated() checks them, the divvy command parses and
    // describes its flags with them.
    internal static readonly OptionRange WorkersRange = OptionRange.Count(nameof(Workers), 0, 1024);
    internal static readonly OptionRange MaxFrameSizeRange = OptionRange.Size(nameof(MaxFrameSize), 1024, 1024 * 1024 * 1024);
    internal static readonly OptionRange MaxPrefetchRange = OptionRange.Count(nameof(MaxPrefetch), 1, 65536);
    internal static readonly OptionRange MaxConcurrentItemsPerWorkerRange = OptionRange.Count(nameof(MaxConcurrentItemsPerWorker), 1, 1024);
    internal static readonly OptionRange MaxBootFailuresRange = OptionRange.Count(nameof(MaxBootFailures), 1, 1000);
    internal static readonly OptionRange MaxSpawnsPerSecondRange = OptionRange.Count(nameof(MaxSpawnsPerSecond), 1, 10000);
    internal static readonly OptionRange ShutdownTimeoutRange = OptionRange.Duration(nameof(ShutdownTimeout), TimeSpan.Zero, TimeSpan.FromHours(1));
    internal static readonly OptionRange MaxRetriesRange = OptionRange.Count(nameof(MaxRetries), 0, 1000);
    internal static readonly OptionRange PoisonThresholdRange = OptionRange.Count(nameof(PoisonThreshold), 1, 100);
    internal static readonly OptionRange MaxConnectionLossesRange = OptionRange.Count(nameof(MaxConnectionLosses), 1, 1000);
    internal static readonly OptionRange RetryBaseDelayRange = OptionRange.Duration(nameof(RetryBaseDelay), TimeSpan.Zero, TimeSpan.FromHours(1));
    internal static readonly OptionRange RetryMaxDelayRange = OptionRange.Duration(nameof(RetryMaxDelay), TimeSpan.Zero, TimeSpan.FromDays(1));
    internal static readonly OptionRange ItemTimeoutRange = OptionRange.Duration(nameof(ItemTimeout), TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1));
    internal static readonly OptionRange ItemTimeoutGraceRange = OptionRange.Duration(nameof(ItemTimeoutGrace), TimeSpan.Zero, TimeSpan.FromHours(1));
    internal static readonly OptionRange HeartbeatIntervalRange = OptionRange.Duration(nameof(HeartbeatInterval), TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
    internal static readonly OptionRange HeartbeatTimeoutRange = OptionRange.Duration(nameof(HeartbeatTimeout), TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1));
    internal static readonly OptionRange MaxItemsPerWorkerRange = OptionRange.Count(nameof(MaxItemsPerWorker), 1);
    internal static readonly OptionRange MaxWorkerMemoryRange = OptionRange.Size(nameof(MaxWorkerMemory), 1024 * 1024);
    internal static readonly OptionRange MaxWorkerAgeRange = OptionRange.Duration(nameof(MaxWorkerAge), TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(365));
    internal static readonly OptionRange MetricsPortRange = OptionRange.Count(nameof(MetricsPort), 1, 65535);
    internal static readonly OptionRange MetricsLingerRange = OptionRange.Duration(nameof(MetricsLinger), TimeSpan.Zero, TimeSpan.FromHours(1));
    internal static readonly OptionRange ConnectTimeoutRange = OptionRange.Duration(nameof(ConnectTimeout), TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(1));
    internal static readonly OptionRange SlurmTimeLimitRange = OptionRange.Duration("Slurm.TimeLimit", TimeSpan.FromMinutes(1), TimeSpan.FromDays(365));

    /// <summary>Shortest <see cref="ControlToken"/> accepted.</summary>
    internal const int MinControlTokenLength = 8;

    internal MasterOptions Validated()
    {
        ArgumentNullException.ThrowIfNull(MetricsHost);
        ArgumentNullException.ThrowIfNull(Halt);
        ArgumentNullException.ThrowIfNull(LoggerFactory);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        ArgumentNullException.ThrowIfNull(Slurm);
        if (FindError() is { } error)
        {
            throw error.ToException();
        }

        return this;
    }

    /// <summary>The first option out of its range or at odds with another, or <c>null</c> when all are fine.</summary>
    internal OptionError? FindError() =>
        WorkersRange.Check(Workers)
        ?? MaxFrameSizeRange.Check(MaxFrameSize)
        ?? MaxPrefetchRange.Check(MaxPrefetch)
        ?? MaxConcurrentItemsPerWorkerRange.Check(MaxConcurrentItemsPerWorker)
        ?? MaxBootFailuresRange.Check(MaxBootFailures)
        ?? MaxSpawnsPerSecondRange.Check(MaxSpawnsPerSecond)
        ?? ShutdownTimeoutRange.Check(ShutdownTimeout)
        ?? MaxRetriesRange.Check(MaxRetries)
        ?? PoisonThresholdRange.Check(PoisonThreshold)
        ?? MaxConnectionLossesRange.Check(MaxConnectionLosses)
        ?? RetryBaseDelayRange.Check(RetryBaseDelay)
        ?? RetryMaxDelayRange.Check(RetryMaxDelay)
        ?? (ItemTimeout is { } timeout ? ItemTimeoutRange.Check(timeout) : null)
        ?? ItemTimeoutGraceRange.Check(ItemTimeoutGrace)
        ?? HeartbeatIntervalRange.Check(HeartbeatInterval)
        ?? HeartbeatTimeoutRange.Check(HeartbeatTimeout)
        ?? (MaxItemsPerWorker is { } items ? MaxItemsPerWorkerRange.Check(items) : null)
        ?? (MaxWorkerMemory is { } memory ? MaxWorkerMemoryRange.Check(memory) : null)
        ?? (MaxWorkerAge is { } age ? MaxWorkerAgeRange.Check(age) : null)
        ?? (MetricsPort is { } port ? MetricsPortRange.Check(port) : null)
        ?? MetricsLingerRange.Check(MetricsLinger)
        ?? ConnectTimeoutRange.Check(ConnectTimeout)
        ?? (Slurm.TimeLimit is { } walltime ? SlurmTimeLimitRange.Check(walltime) : null)
        ?? LauncherError()
        ?? (RetryFailed && Journal is null
            ? new OptionError(nameof(RetryFailed), w => $"{w.Name(nameof(RetryFailed))} reruns the failed items of a {w.Name(nameof(Journal))}: name one")
            : null)
        ?? (RetryMaxDelay < RetryBaseDelay ? OptionError.Below(nameof(RetryMaxDelay), RetryMaxDelay, nameof(RetryBaseDelay), RetryBaseDelay, strictly: false) : null)
        ?? (HeartbeatTimeout <= HeartbeatInterval ? OptionError.Below(nameof(HeartbeatTimeout), HeartbeatTimeout, nameof(HeartbeatInterval), HeartbeatInterval, strictly: true) : null)
        ?? (ControlToken is { Length: < MinControlTokenLength } token
            ? new OptionError(nameof(ControlToken), w => $"{w.Name(nameof(ControlToken))} must be at least {MinControlTokenLength} characters long, got {token.Length}")
            : null)
        ?? (string.IsNullOrWhiteSpace(MetricsHost)
            ? new OptionError(nameof(MetricsHost), w => $"{w.Name(nameof(MetricsHost))} must be a host name or address, got '{MetricsHost}'")
            : null);

    private OptionError? LauncherError() => Launcher switch
    {
        WorkerLauncherKind.External or WorkerLauncherKind.Slurm when Workers == 0 =>
            new OptionError(nameof(Workers), w => $"{w.Name(nameof(Workers))} 0 runs in process: it needs {w.Name(nameof(Launcher))} local"),
        WorkerLauncherKind.Local when Listen is not null =>
            new OptionError(nameof(Listen), w => $"{w.Name(nameof(Listen))} is only for {w.Name(nameof(Launcher))} external: local workers talk to the master over pipes"),
        WorkerLauncherKind.External when Listen is null =>
            new OptionError(nameof(Launcher), w => $"{w.Name(nameof(Launcher))} external needs {w.Name(nameof(Listen))}: the address workers dial"),
        WorkerLauncherKind.Local when Advertise is not null =>
            new OptionError(nameof(Advertise), w => $"{w.Name(nameof(Advertise))} is only for workers that dial in ({w.Name(nameof(Launcher))} external or slurm)"),
        WorkerLauncherKind.Local or WorkerLauncherKind.External or WorkerLauncherKind.Slurm => null,
        _ => new OptionError(nameof(Launcher), w => $"{w.Name(nameof(Launcher))} must be local, external or slurm, got {(int)Launcher}"),
    };

    internal MasterOptions Clone() => (MasterOptions)MemberwiseClone();

    /// <summary>What the scheduler of an in-process run (<see cref="Workers"/> 0) uses: one worker, one item at a time.</summary>
    internal MasterOptions ForInProcess()
    {
        MasterOptions options = Clone();
        options.Workers = 1;
        options.MaxPrefetch = 1;
        options.MaxConcurrentItemsPerWorker = 1;
        return options;
    }

    /// <summary>The address a Slurm run listens on when <see cref="Listen"/> is not set: every address, a free port.</summary>
    internal IPEndPoint SlurmListen => Listen ?? new IPEndPoint(IPAddress.Any, 0);
}
