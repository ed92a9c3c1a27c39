using System.Globalization;
using System.Net;
using Divvy.Options;
using Divvy.Transport.Tcp;
using McMaster.Extensions.CommandLineUtils;

namespace Divvy.Cli;

/// <summary>
/// The options that shape a run, declared on the command and turned into <see cref="MasterOptions"/>.
/// Defaults and ranges come from <see cref="MasterOptions"/> itself, for the help text and the checks
/// alike; each bad value becomes one usage line that names the flag and speaks its units.
/// </summary>
internal sealed class RunOptions
{
    // The --dashboard flag's own name in option errors; it sets MasterOptions.MetricsPort.
    private const string DashboardFlag = "Dashboard";

    private readonly List<Flag> _flags = [];
    private readonly FlagVocabulary _words;
    private readonly CommandOption _dashboard;
    private readonly CommandOption _metricsPort;
    private readonly CommandOption[] _needPort;
    private readonly CommandOption? _launcher;
    private readonly CommandOption[] _needSlurm;
    private readonly CommandOption[] _needExternal;

    /// <param name="app">The command the flags belong to.</param>
    /// <param name="remote">Whether it has the remote workers' flags (<c>--launcher</c>, <c>--listen</c>, the Slurm ones); <c>divvy serve</c> has its own <c>--listen</c>.</param>
    public RunOptions(CommandLineApplication app, bool remote = true)
    {
        _words = new FlagVocabulary(_flags);
        var d = new MasterOptions();

        Count(app, nameof(MasterOptions.Workers), "-n|--workers <N>", "Number of worker processes", "CPU count", MasterOptions.WorkersRange, (o, n) => o.Workers = (int)n);
        Size(app, nameof(MasterOptions.MaxFrameSize), "--max-frame-size <BYTES>", "Largest item or result message", OptionText.Size(d.MaxFrameSize), MasterOptions.MaxFrameSizeRange, (o, n) => o.MaxFrameSize = (int)n);
        Count(app, nameof(MasterOptions.MaxPrefetch), "--max-prefetch <N>", "Most items one worker holds at once; 1 turns prefetching off", Plain(d.MaxPrefetch), MasterOptions.MaxPrefetchRange, (o, n) => o.MaxPrefetch = (int)n);
        Count(app, nameof(MasterOptions.MaxConcurrentItemsPerWorker), "--per-worker <K>", "Items one worker performs at once, for latency-bound items; a crash takes all K", Plain(d.MaxConcurrentItemsPerWorker), MasterOptions.MaxConcurrentItemsPerWorkerRange, (o, n) => o.MaxConcurrentItemsPerWorker = (int)n);
        Duration(app, nameof(MasterOptions.ShutdownTimeout), "--shutdown-timeout <DURATION>", "On Ctrl-C, how long items in flight may run on before their workers are killed", OptionText.Duration(d.ShutdownTimeout), MasterOptions.ShutdownTimeoutRange, (o, t) => o.ShutdownTimeout = t);
        Count(app, nameof(MasterOptions.MaxBootFailures), "--max-boot-failures <N>", "Stop once this many workers in a row die before completing any item", Plain(d.MaxBootFailures), MasterOptions.MaxBootFailuresRange, (o, n) => o.MaxBootFailures = (int)n);
        Count(app, nameof(MasterOptions.MaxSpawnsPerSecond), "--max-spawn-rate <N>", "Most worker launches per second after the first burst, respawns included", Plain(d.MaxSpawnsPerSecond), MasterOptions.MaxSpawnsPerSecondRange, (o, n) => o.MaxSpawnsPerSecond = (int)n);
        Count(app, nameof(MasterOptions.MaxItemsPerWorker), "--max-items-per-worker <N>", "Recycle a worker after about N items, each worker up to 10% more", "never", MasterOptions.MaxItemsPerWorkerRange, (o, n) => o.MaxItemsPerWorker = n);
        Size(app, nameof(MasterOptions.MaxWorkerMemory), "--max-worker-memory <BYTES>", "Recycle a worker whose resident memory passes this, checked between items", "none", MasterOptions.MaxWorkerMemoryRange, (o, n) => o.MaxWorkerMemory = n);
        Duration(app, nameof(MasterOptions.MaxWorkerAge), "--max-worker-age <DURATION>", "Recycle a worker older than this, between items", "none", MasterOptions.MaxWorkerAgeRange, (o, t) => o.MaxWorkerAge = t);
        WorkerFlags = Declared();

        Count(app, nameof(MasterOptions.MaxRetries), "--retries <N>", "Retries per item after a failed, timed-out or crashed attempt", Plain(d.MaxRetries), MasterOptions.MaxRetriesRange, (o, n) => o.MaxRetries = (int)n);
        Duration(app, nameof(MasterOptions.RetryBaseDelay), "--retry-delay <DURATION>", "Backoff before the first retry, doubled each time, with jitter", OptionText.Duration(d.RetryBaseDelay), MasterOptions.RetryBaseDelayRange, (o, t) => o.RetryBaseDelay = t);
        Duration(app, nameof(MasterOptions.RetryMaxDelay), "--retry-max-delay <DURATION>", "Longest backoff between retries, at least --retry-delay", OptionText.Duration(d.RetryMaxDelay), MasterOptions.RetryMaxDelayRange, (o, t) => o.RetryMaxDelay = t);
        Count(app, nameof(MasterOptions.PoisonThreshold), "--poison-after <K>", "Quarantine an item once it has crashed K workers", Plain(d.PoisonThreshold), MasterOptions.PoisonThresholdRange, (o, n) => o.PoisonThreshold = (int)n);
        Count(app, nameof(MasterOptions.MaxConnectionLosses), "--max-connection-losses <K>", "Quarantine an item once K workers lost their connection holding it", Plain(d.MaxConnectionLosses), MasterOptions.MaxConnectionLossesRange, (o, n) => o.MaxConnectionLosses = (int)n);
        Duration(app, nameof(MasterOptions.ItemTimeout), "--timeout <DURATION>", "Per-item soft deadline: the item's CancellationToken is cancelled", "none", MasterOptions.ItemTimeoutRange, (o, t) => o.ItemTimeout = t);
        Duration(app, nameof(MasterOptions.ItemTimeoutGrace), "--timeout-grace <DURATION>", "After the soft deadline, kill the worker if the item still runs this long", OptionText.Duration(d.ItemTimeoutGrace), MasterOptions.ItemTimeoutGraceRange, (o, t) => o.ItemTimeoutGrace = t);
        Duration(app, nameof(MasterOptions.HeartbeatInterval), "--heartbeat <DURATION>", "How often to check that workers answer", OptionText.Duration(d.HeartbeatInterval), MasterOptions.HeartbeatIntervalRange, (o, t) => o.HeartbeatInterval = t);
        Duration(app, nameof(MasterOptions.HeartbeatTimeout), "--heartbeat-timeout <DURATION>", "Replace a worker silent this long, longer than --heartbeat", OptionText.Duration(d.HeartbeatTimeout), MasterOptions.HeartbeatTimeoutRange, (o, t) => o.HeartbeatTimeout = t);
        Text(app, nameof(MasterOptions.Halt), "--halt <POLICY>", "Stop on failures: soon,fail=N | now,fail=N | soon,fail=X% | now,fail=X% | never (default never)", (o, text) =>
        {
            try
            {
                o.Halt = HaltPolicy.Parse(text);
                return null;
            }
            catch (FormatException ex)
            {
                return $"--halt: {ex.Message}";
            }
        });
        Text(app, nameof(MasterOptions.Journal), "--journal <PATH>", "Record every settled item in this file; a later run with the same file skips what settled (resume after a stop, a kill or a crash)", (o, text) =>
        {
            o.Journal = text;
            return null;
        });
        Switch(app, nameof(MasterOptions.RetryFailed), "--retry-failed", "With --journal: run the items that failed, crashed or timed out earlier again instead of skipping them", o => o.RetryFailed = true);
        FailureFlags = Declared().Except(WorkerFlags).ToArray();

        // Two names for one setting; each names itself in its errors.
        Count(app, DashboardFlag, "--dashboard <PORT>", "Serve the run's live dashboard on this port: the page at /, /metrics (Prometheus), /herd (pool size, PATCH to resize) and POST /stop", "off", OptionRange.Count(DashboardFlag, 1, 65535), (o, n) => o.MetricsPort = (int)n);
        _dashboard = _flags[^1].Option;
        Count(app, nameof(MasterOptions.MetricsPort), "--metrics-port <PORT>", "The same as --dashboard, by the name Prometheus users look for", "off", MasterOptions.MetricsPortRange, (o, n) => o.MetricsPort = (int)n);
        _metricsPort = _flags[^1].Option;
        Text(app, nameof(MasterOptions.MetricsHost), "--metrics-host <ADDRESS>", $"Address the endpoint binds to (default {d.MetricsHost})", (o, text) =>
        {
            o.MetricsHost = text;
            return null;
        });
        Text(app, nameof(MasterOptions.ControlToken), "--control-token <TOKEN>", $"Bearer token that resizing and stopping through the dashboard require, {MasterOptions.MinControlTokenLength} characters or more (default: a random one, printed at start)", (o, text) =>
        {
            o.ControlToken = text;
            return null;
        });
        Duration(app, nameof(MasterOptions.MetricsLinger), "--metrics-linger <DURATION>", "Keep serving the dashboard and /metrics this long after the run, for a last look or scrape", OptionText.Duration(d.MetricsLinger), MasterOptions.MetricsLingerRange, (o, t) => o.MetricsLinger = t);
        EndpointFlags = Declared().Except(WorkerFlags).Except(FailureFlags).ToArray();
        _needPort = EndpointFlags.Where(o => o != _metricsPort && o != _dashboard).ToArray();

        if (!remote)
        {
            _launcher = null;
            _needExternal = [];
            _needSlurm = [];
            RemoteFlags = [];
            return;
        }

        Text(app, nameof(MasterOptions.Launcher), "--launcher <KIND>", "How workers come to exist: local (child processes), external (workers started by anyone dial --listen) or slurm (Slurm starts them: srun steps inside an allocation, else an sbatch job array; they dial back) (default local)", (o, text) =>
        {
            if (!Enum.TryParse(text, ignoreCase: true, out WorkerLauncherKind kind) || !Enum.IsDefined(kind) || int.TryParse(text, out _))
            {
                return $"--launcher must be local, external or slurm, got '{text}'";
            }

            o.Launcher = kind;
            return null;
        });
        _launcher = _flags[^1].Option;
        Text(app, nameof(MasterOptions.Listen), "--listen <ADDRESS>", "With --launcher external or slurm: the HOST:PORT workers dial, only that one bound; a bare PORT is 127.0.0.1, port 0 picks a free one (printed at start); slurm's default is every address on a free port", (o, text) =>
        {
            if (!TcpAddress.TryParseListen(text, out IPEndPoint? endpoint, out string? error))
            {
                return $"--listen: {error}";
            }

            o.Listen = endpoint;
            return null;
        });
        Text(app, nameof(MasterOptions.TokenFile), "--token-file <PATH>", $"With --launcher external or slurm: the file with the run's token, created (mode 0600) when absent (default: ${TcpToken.ValueVariable}; slurm: a new file under ~/.divvy/slurm, deleted at the end)", (o, text) =>
        {
            o.TokenFile = text;
            return null;
        });
        Duration(app, nameof(MasterOptions.ConnectTimeout), "--connect-timeout <DURATION>", "With --launcher external or slurm: stop (exit 8) when no worker has been connected this long while one is needed", OptionText.Duration(d.ConnectTimeout), MasterOptions.ConnectTimeoutRange, (o, t) => o.ConnectTimeout = t);
        Text(app, nameof(MasterOptions.Advertise), "--advertise <HOST>", "With --launcher external or slurm: the host name or address workers dial, when it is not the bound one (slurm's default: this host's name)", (o, text) =>
        {
            o.Advertise = text;
            return null;
        });
        _needExternal = Declared().Except(WorkerFlags).Except(FailureFlags).Except(EndpointFlags).Where(o => o != _launcher && o.LongName != "listen").ToArray();
        Text(app, "Slurm.Mode", "--slurm-mode <MODE>", "With --launcher slurm: auto (steps inside an allocation, an array outside), steps (srun) or array (sbatch --array) (default auto)", (o, text) =>
        {
            if (!Enum.TryParse(text, ignoreCase: true, out SlurmLaunchMode mode) || !Enum.IsDefined(mode) || int.TryParse(text, out _))
            {
                return $"--slurm-mode must be auto, steps or array, got '{text}'";
            }

            o.Slurm.Mode = mode;
            return null;
        });
        Text(app, "Slurm.Partition", "--partition <NAME>", "With --launcher slurm: sbatch --partition for the workers", (o, text) =>
        {
            o.Slurm.Partition = text;
            return null;
        });
        Duration(app, "Slurm.TimeLimit", "--time <DURATION>", "With --launcher slurm: each worker's walltime (sbatch/srun --time)", "the partition's", MasterOptions.SlurmTimeLimitRange, (o, t) => o.Slurm.TimeLimit = t);
        Text(app, "Slurm.Account", "--account <NAME>", "With --launcher slurm: sbatch --account for the workers", (o, text) =>
        {
            o.Slurm.Account = text;
            return null;
        });
        Text(app, "Slurm.ExtraArguments", "--slurm-args <ARGS>", "With --launcher slurm: more sbatch (or srun) arguments, separated by spaces (\"--mem=2G --qos=short\")", (o, text) =>
        {
            foreach (string argument in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                o.Slurm.ExtraArguments.Add(argument);
            }

            return null;
        });
        RemoteFlags = Declared().Except(WorkerFlags).Except(FailureFlags).Except(EndpointFlags).ToArray();
        _needSlurm = RemoteFlags.Except(_needExternal).Where(o => o != _launcher && o.LongName != "listen").ToArray();
    }

    /// <summary>Remote workers: the launcher, the listen address, the token, the connect timeout, for the help text.</summary>
    public CommandOption[] RemoteFlags { get; }

    /// <summary>Workers and their limits, for the help text.</summary>
    public CommandOption[] WorkerFlags { get; }

    /// <summary>Retries, timeouts and halting, for the help text.</summary>
    public CommandOption[] FailureFlags { get; }

    /// <summary>The metrics and control endpoint, for the help text.</summary>
    public CommandOption[] EndpointFlags { get; }

    /// <summary>The flag that sets the <see cref="MasterOptions"/> property <paramref name="property"/> (<c>nameof(MasterOptions.Workers)</c>), for a command's own aliases of it.</summary>
    public CommandOption FlagFor(string property) => _flags.First(f => f.Property == property).Option;

    /// <summary>Names options as the command line does; library messages about options use it too.</summary>
    public OptionVocabulary Words => _words;

    /// <summary>Checks the flags on fresh options: the usage error that says what is wrong, in one line, or null.</summary>
    public string? Check() => TryApply(new MasterOptions());

    /// <summary>
    /// Applies the flags given on the command line over <paramref name="options"/> (the job's own
    /// defaults, from its <c>Configure</c>): the usage error that says what is wrong, in one line, or null.
    /// </summary>
    public string? TryApply(MasterOptions options)
    {
        options.Vocabulary = _words;
        foreach (Flag flag in _flags)
        {
            if (flag.Option.HasValue() && flag.Apply(options, flag.Option.Value()!) is { } error)
            {
                return error;
            }
        }

        if (_dashboard.HasValue() && _metricsPort.HasValue() && _dashboard.Value() != _metricsPort.Value())
        {
            return "--dashboard and --metrics-port are one setting (the endpoint's port): give one of them";
        }

        if (!_metricsPort.HasValue() && !_dashboard.HasValue() && _needPort.FirstOrDefault(o => o.HasValue()) is { } orphan)
        {
            return $"--{orphan.LongName} needs --dashboard (or --metrics-port): without a port there is no endpoint";
        }

        if (options.Launcher == WorkerLauncherKind.Local && _needExternal.FirstOrDefault(o => o.HasValue()) is { } local)
        {
            return $"--{local.LongName} needs --launcher external or slurm: local workers need neither a token nor a connection";
        }

        if (options.Launcher != WorkerLauncherKind.Slurm && _needSlurm.FirstOrDefault(o => o.HasValue()) is { } notSlurm)
        {
            return $"--{notSlurm.LongName} needs --launcher slurm";
        }

        // The library checks what no single flag can: a retry ceiling below the first delay, a
        // heartbeat timeout not longer than the heartbeat.
        return options.FindError()?.Describe(_words);
    }

    private static string Plain(long value) => value.ToString(CultureInfo.InvariantCulture);

    private CommandOption[] Declared() => _flags.Select(f => f.Option).ToArray();

    private string Help(string description, string defaultText, OptionRange range) =>
        $"{description} (default {defaultText}; {range.Describe(_words)}).";

    private void Count(CommandLineApplication app, string property, string template, string description, string defaultText, OptionRange range, Action<MasterOptions, long> apply) =>
        Declare(app, property, template, Help(description, defaultText, range), (o, text) =>
        {
            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            {
                return $"{_words.Name(property)} must be a whole number, got '{text}'";
            }

            return Apply(range.Check(value), () => apply(o, value));
        });

    private void Size(CommandLineApplication app, string property, string template, string description, string defaultText, OptionRange range, Action<MasterOptions, long> apply) =>
        Declare(app, property, template, Help(description, defaultText, range), (o, text) =>
        {
            if (!Values.TryParseSize(text, 0, long.MaxValue, out long bytes))
            {
                return $"{_words.Name(property)} must be a size in bytes or with K, M or G, such as 64M, got '{text}'";
            }

            return Apply(range.Check(bytes), () => apply(o, bytes));
        });

    private void Duration(CommandLineApplication app, string property, string template, string description, string defaultText, OptionRange range, Action<MasterOptions, TimeSpan> apply) =>
        Declare(app, property, template, Help(description, defaultText, range), (o, text) =>
        {
            if (!Values.TryParseDuration(text, out TimeSpan duration))
            {
                return $"{_words.Name(property)} must be a duration such as 500ms, 30s, 5m or 2h, got '{text}'";
            }

            return Apply(range.Check(duration), () => apply(o, duration));
        });

    private void Text(CommandLineApplication app, string property, string template, string description, Func<MasterOptions, string, string?> apply) =>
        Declare(app, property, template, description + ".", apply);

    private void Switch(CommandLineApplication app, string property, string template, string description, Action<MasterOptions> apply) =>
        _flags.Add(new Flag(property, app.Option(template, description + ".", CommandOptionType.NoValue), (o, _) =>
        {
            apply(o);
            return null;
        }));

    private string? Apply(OptionError? error, Action apply)
    {
        if (error is not null)
        {
            return error.Describe(_words);
        }

        apply();
        return null;
    }

    private void Declare(CommandLineApplication app, string property, string template, string description, Func<MasterOptions, string, string?> apply) =>
        _flags.Add(new Flag(property, app.Option(template, description, CommandOptionType.SingleValue), apply));

    /// <summary>One flag: the property it sets and how.</summary>
    private sealed record Flag(string Property, CommandOption Option, Func<MasterOptions, string, string?> Apply);

    /// <summary>Option errors in the command line's words: <c>-n/--workers</c>, <c>1024</c>.</summary>
    private sealed class FlagVocabulary(List<Flag> flags) : OptionVocabulary
    {
        public override string Name(string property) => flags.FirstOrDefault(f => f.Property == property)?.Option is { } option
            ? option.ShortName is { Length: > 0 } shortName ? $"-{shortName}/--{option.LongName}" : $"--{option.LongName}"
            : base.Name(property);

        public override string Count(long value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
