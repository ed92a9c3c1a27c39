using System.Diagnostics.Metrics;
using Divvy.Options;
using Divvy.Scheduling;

namespace Divvy.Monitoring;

/// <summary>
/// A running master as an <see cref="IRunEndpoint"/> sees it: its state (a consistent
/// <see cref="SnapshotAsync">snapshot</see> on demand, the cheap <see cref="Progress"/> at any
/// time), its meter, and the two ways to steer it, <see cref="Resize"/> and <see cref="Stop"/>.
/// Every member is safe to call from any thread.
/// </summary>
public sealed class RunMonitor
{
    private readonly Scheduler _scheduler;

    internal RunMonitor(Scheduler scheduler, MasterOptions options, string jobName)
    {
        _scheduler = scheduler;
        Options = options;
        JobName = jobName;
        Settings = Describe(options);
    }

    /// <summary>The job's type name.</summary>
    public string JobName { get; }

    /// <summary>The run's options, as the master uses them. Read them; changing them does nothing.</summary>
    public MasterOptions Options { get; }

    /// <summary>The settings that shape the run, as name and value in words (<c>retries</c>, <c>3</c>), for display.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; }

    /// <summary>The largest pool <see cref="Resize"/> accepts.</summary>
    public int MaxWorkers => Scheduler.MaxWorkers;

    /// <summary>The number of workers the run aims for now.</summary>
    public int TargetWorkers => _scheduler.TargetWorkers;

    /// <summary>The latest progress, updated after each step of the scheduler.</summary>
    public RunProgress Progress => _scheduler.Progress;

    /// <summary>The run's <see cref="System.Diagnostics.Metrics.Meter"/> (named <c>Divvy</c>), created now if it was not yet.</summary>
    public Meter Meter => _scheduler.Metrics.Meter;

    /// <summary>
    /// The run's state, taken by the scheduler at its next step (at once when it is idle); after the
    /// run the final state. Costs a sort of the sampled durations: call it about once a second, not per request.
    /// </summary>
    public Task<RunSnapshot> SnapshotAsync(CancellationToken cancellationToken = default) => _scheduler.SnapshotAsync(cancellationToken);

    /// <summary>Asks for a different number of workers, as <see cref="Master.Resize"/> does.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workers"/> is not between 0 and <see cref="MaxWorkers"/>.</exception>
    public void Resize(int workers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(workers);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(workers, Scheduler.MaxWorkers);
        _scheduler.Resize(workers);
    }

    /// <summary>
    /// Stops the run: gracefully as Ctrl-C does (no new items, items in hand finish; the run ends
    /// <see cref="StopReason.Interrupted"/>), or <paramref name="now"/> as SIGTERM does (workers are
    /// killed; <see cref="StopReason.Terminated"/>).
    /// </summary>
    public void Stop(bool now) => _scheduler.RequestStop(now ? StopReason.Terminated : StopReason.Interrupted, force: now);

    private static KeyValuePair<string, string>[] Describe(MasterOptions o)
    {
        static KeyValuePair<string, string> Pair(string name, string value) => new(name, value);
        return
        [
            Pair("workers", o.Workers.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Pair("launcher", o.Launcher.ToString().ToLowerInvariant()),
            Pair("items per worker at once", Plain(o.MaxConcurrentItemsPerWorker)),
            Pair("prefetch", Plain(o.MaxPrefetch)),
            Pair("retries", Plain(o.MaxRetries)),
            Pair("retry delay", $"{OptionText.Duration(o.RetryBaseDelay)} to {OptionText.Duration(o.RetryMaxDelay)}"),
            Pair("timeout", o.ItemTimeout is { } timeout ? $"{OptionText.Duration(timeout)} (+{OptionText.Duration(o.ItemTimeoutGrace)} grace)" : "none"),
            Pair("halt", o.Halt.ToString()),
            Pair("quarantine after crashes", Plain(o.PoisonThreshold)),
            Pair("recycle after items", o.MaxItemsPerWorker is { } items ? Plain(items) : "never"),
            Pair("recycle above memory", o.MaxWorkerMemory is { } bytes ? OptionText.Size(bytes) : "never"),
            Pair("recycle after age", o.MaxWorkerAge is { } age ? OptionText.Duration(age) : "never"),
            Pair("heartbeat", $"{OptionText.Duration(o.HeartbeatInterval)}, timeout {OptionText.Duration(o.HeartbeatTimeout)}"),
            Pair("max frame size", OptionText.Size(o.MaxFrameSize)),
        ];
    }

    private static string Plain(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
