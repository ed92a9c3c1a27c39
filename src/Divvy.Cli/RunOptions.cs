using McMaster.Extensions.CommandLineUtils;

namespace Divvy.Cli;

/// <summary>
/// The options that shape a run, declared on the command and turned into <see cref="MasterOptions"/>.
/// Each failure to parse becomes one usage line naming the option and what it accepts.
/// </summary>
internal sealed class RunOptions
{
    private readonly CommandOption _workers;
    private readonly CommandOption _maxFrameSize;
    private readonly CommandOption _retries;
    private readonly CommandOption _retryDelay;
    private readonly CommandOption _retryMaxDelay;
    private readonly CommandOption _poisonAfter;
    private readonly CommandOption _timeout;
    private readonly CommandOption _timeoutGrace;
    private readonly CommandOption _heartbeat;
    private readonly CommandOption _heartbeatTimeout;
    private readonly CommandOption _maxItemsPerWorker;
    private readonly CommandOption _maxWorkerMemory;
    private readonly CommandOption _maxWorkerAge;
    private readonly CommandOption _halt;
    private readonly CommandOption _metricsPort;
    private readonly CommandOption _metricsHost;
    private readonly CommandOption _controlToken;
    private readonly CommandOption _metricsLinger;

    public RunOptions(CommandLineApplication app)
    {
        _workers = app.Option("-n|--workers <N>", "Number of worker processes, 1 to 1024 (default: number of CPUs).", CommandOptionType.SingleValue);
        _maxFrameSize = app.Option("--max-frame-size <BYTES>", "Largest item or result message, e.g. 64M (default 64M; 1K to 1G).", CommandOptionType.SingleValue);
        _retries = app.Option("--retries <N>", "Retries per item after a failed, timed-out or crashed attempt (default 0; up to 1000).", CommandOptionType.SingleValue);
        _retryDelay = app.Option("--retry-delay <DURATION>", "Backoff before the first retry, doubled each time, with jitter (default 200ms).", CommandOptionType.SingleValue);
        _retryMaxDelay = app.Option("--retry-max-delay <DURATION>", "Longest backoff between retries (default 30s).", CommandOptionType.SingleValue);
        _poisonAfter = app.Option("--poison-after <K>", "Quarantine an item once it has crashed K workers (default 2).", CommandOptionType.SingleValue);
        _timeout = app.Option("--timeout <DURATION>", "Per-item soft deadline: the item's CancellationToken is cancelled (default: none).", CommandOptionType.SingleValue);
        _timeoutGrace = app.Option("--timeout-grace <DURATION>", "After the soft deadline, kill the worker if the item still runs this long (default 5s).", CommandOptionType.SingleValue);
        _heartbeat = app.Option("--heartbeat <DURATION>", "How often to check that workers answer (default 5s).", CommandOptionType.SingleValue);
        _heartbeatTimeout = app.Option("--heartbeat-timeout <DURATION>", "Replace a worker silent this long (default 30s).", CommandOptionType.SingleValue);
        _maxItemsPerWorker = app.Option("--max-items-per-worker <N>", "Recycle a worker after about N items (up to 10% jitter).", CommandOptionType.SingleValue);
        _maxWorkerMemory = app.Option("--max-worker-memory <BYTES>", "Recycle a worker whose resident memory passes this, e.g. 512M (checked between items).", CommandOptionType.SingleValue);
        _maxWorkerAge = app.Option("--max-worker-age <DURATION>", "Recycle a worker older than this, between items, e.g. 1h.", CommandOptionType.SingleValue);
        _halt = app.Option("--halt <POLICY>", "Stop on failures: soon,fail=N | now,fail=N | soon,fail=X% | now,fail=X% | never (default).", CommandOptionType.SingleValue);
        _metricsPort = app.Option("--metrics-port <PORT>", "Serve /metrics (Prometheus) and /herd (pool size, PATCH to resize) on this port.", CommandOptionType.SingleValue);
        _metricsHost = app.Option("--metrics-host <ADDRESS>", "Address the endpoint binds to (default 127.0.0.1).", CommandOptionType.SingleValue);
        _controlToken = app.Option("--control-token <TOKEN>", "Bearer token PATCH /herd requires (default: a random one, printed at start).", CommandOptionType.SingleValue);
        _metricsLinger = app.Option("--metrics-linger <DURATION>", "Keep serving /metrics this long after the run, for a last scrape.", CommandOptionType.SingleValue);
    }

    /// <summary>Builds the options, or returns the usage error that says what is wrong.</summary>
    public string? TryBuild(out MasterOptions result)
    {
        var options = new MasterOptions();
        result = options;
        long number = 0;
        long bytes = 0;

        if (Has(_workers) && !Values.TryParseCount(_workers.Value()!, 1, 1024, out number))
        {
            return $"-n/--workers must be a whole number from 1 to 1024, got '{_workers.Value()}'";
        }

        options.Workers = Has(_workers) ? (int)number : Environment.ProcessorCount;

        if (Has(_maxFrameSize))
        {
            if (!Values.TryParseSize(_maxFrameSize.Value()!, 1024, 1024 * 1024 * 1024, out bytes))
            {
                return $"--max-frame-size must be a size from 1K to 1G (bytes, or with K, M or G), got '{_maxFrameSize.Value()}'";
            }

            options.MaxFrameSize = (int)bytes;
        }

        if (Has(_retries))
        {
            if (!Values.TryParseCount(_retries.Value()!, 0, 1000, out number))
            {
                return $"--retries must be a whole number from 0 to 1000, got '{_retries.Value()}'";
            }

            options.MaxRetries = (int)number;
        }

        if (Has(_poisonAfter))
        {
            if (!Values.TryParseCount(_poisonAfter.Value()!, 1, 100, out number))
            {
                return $"--poison-after must be a whole number from 1 to 100, got '{_poisonAfter.Value()}'";
            }

            options.PoisonThreshold = (int)number;
        }

        if (Has(_maxItemsPerWorker))
        {
            if (!Values.TryParseCount(_maxItemsPerWorker.Value()!, 1, long.MaxValue, out number))
            {
                return $"--max-items-per-worker must be a whole number of at least 1, got '{_maxItemsPerWorker.Value()}'";
            }

            options.MaxItemsPerWorker = number;
        }

        if (Has(_maxWorkerMemory))
        {
            if (!Values.TryParseSize(_maxWorkerMemory.Value()!, 1024 * 1024, long.MaxValue, out bytes))
            {
                return $"--max-worker-memory must be a size of at least 1M (bytes, or with K, M or G), got '{_maxWorkerMemory.Value()}'";
            }

            options.MaxWorkerMemory = bytes;
        }

        string? error =
            Duration(_retryDelay, d => options.RetryBaseDelay = d)
            ?? Duration(_retryMaxDelay, d => options.RetryMaxDelay = d)
            ?? Duration(_timeout, d => options.ItemTimeout = d)
            ?? Duration(_timeoutGrace, d => options.ItemTimeoutGrace = d)
            ?? Duration(_heartbeat, d => options.HeartbeatInterval = d)
            ?? Duration(_heartbeatTimeout, d => options.HeartbeatTimeout = d)
            ?? Duration(_maxWorkerAge, d => options.MaxWorkerAge = d)
            ?? Duration(_metricsLinger, d => options.MetricsLinger = d);
        if (error is not null)
        {
            return error;
        }

        if (Has(_metricsPort))
        {
            if (!Values.TryParseCount(_metricsPort.Value()!, 1, 65535, out number))
            {
                return $"--metrics-port must be a port number from 1 to 65535, got '{_metricsPort.Value()}'";
            }

            options.MetricsPort = (int)number;
        }

        if (Has(_metricsHost))
        {
            options.MetricsHost = _metricsHost.Value()!;
        }

        if (Has(_controlToken))
        {
            options.ControlToken = _controlToken.Value();
        }

        if (Has(_halt))
        {
            try
            {
                options.Halt = HaltPolicy.Parse(_halt.Value()!);
            }
            catch (FormatException ex)
            {
                return $"--halt: {ex.Message}";
            }
        }

        try
        {
            // The library checks the ranges and the relations between options (a max retry delay
            // below the base, a heartbeat timeout below its interval).
            _ = options.Clone().Validated();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            return ex.Message.Split(" (Parameter", 2)[0];
        }

        return null;
    }

    private static bool Has(CommandOption option) => option.HasValue();

    private static string? Duration(CommandOption option, Action<TimeSpan> apply)
    {
        if (!option.HasValue())
        {
            return null;
        }

        if (!Values.TryParseDuration(option.Value()!, out TimeSpan duration))
        {
            return $"--{option.LongName} must be a duration such as 500ms, 30s, 5m or 2h, got '{option.Value()}'";
        }

        apply(duration);
        return null;
    }
}
