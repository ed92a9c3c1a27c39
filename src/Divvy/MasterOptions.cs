using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Divvy;

/// <summary>How a <see cref="Master"/> runs its workers. Every property has a default that suits most jobs.</summary>
public sealed class MasterOptions
{
    /// <summary>Default for <see cref="MaxFrameSize"/>: 64 MiB.</summary>
    public const int DefaultMaxFrameSize = 64 * 1024 * 1024;

    /// <summary>
    /// Number of worker processes. Default: <see cref="Environment.ProcessorCount"/>. Range 1 to 1024.
    /// Workers are launched lazily, so a run with fewer items than workers starts fewer processes.
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
    /// Serve <c>/metrics</c> (Prometheus text) and <c>/herd</c> (pool size, resizable with a token)
    /// on this port while the run lasts. Default <c>null</c> (no endpoint); range 1 to 65,535.
    /// </summary>
    public int? MetricsPort { get; set; }

    /// <summary>The address the endpoint binds to. Default <c>127.0.0.1</c>, loopback only.</summary>
    public string MetricsHost { get; set; } = "127.0.0.1";

    /// <summary>
    /// The bearer token <c>PATCH /herd</c> requires. Default <c>null</c>: a random one is made and
    /// printed on stderr when the endpoint starts. At least 8 characters when given.
    /// </summary>
    public string? ControlToken { get; set; }

    /// <summary>
    /// Keep serving <c>/metrics</c> this long after the run ends, so a scraper sees the final
    /// counts. Default 0; range 0 to 1 hour.
    /// </summary>
    public TimeSpan MetricsLinger { get; set; }

    /// <summary>Where lifecycle events (spawn, exit, respawn) are logged. Default: nowhere.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>The clock used for durations and throttling. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Where workers' standard output goes. <c>null</c> (the default): workers inherit the master's
    /// stdout and write to it directly. Set (by the <c>divvy</c> command while it draws its progress
    /// line on the same terminal): each worker's stdout is a pipe the master reads, and whole lines
    /// are written here, several lines per <see cref="Stream.Write(byte[], int, int)"/> call at most.
    /// </summary>
    internal Stream? WorkerStandardOutput { get; set; }

    internal MasterOptions Validated()
    {
        Check(Workers, 1, 1024, nameof(Workers));
        Check(MaxFrameSize, 1024, 1024 * 1024 * 1024, nameof(MaxFrameSize));
        Check(MaxPrefetch, 1, 65536, nameof(MaxPrefetch));
        Check(MaxBootFailures, 1, 1000, nameof(MaxBootFailures));
        Check(MaxSpawnsPerSecond, 1, 10000, nameof(MaxSpawnsPerSecond));
        if (ShutdownTimeout < TimeSpan.Zero || ShutdownTimeout > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(ShutdownTimeout), ShutdownTimeout, "MasterOptions.ShutdownTimeout must be between 0 and 1 hour");
        }

        Check(MaxRetries, 0, 1000, nameof(MaxRetries));
        Check(PoisonThreshold, 1, 100, nameof(PoisonThreshold));
        CheckTime(RetryBaseDelay, TimeSpan.Zero, TimeSpan.FromHours(1), nameof(RetryBaseDelay));
        CheckTime(RetryMaxDelay, RetryBaseDelay, TimeSpan.FromDays(1), nameof(RetryMaxDelay));
        if (ItemTimeout is { } timeout)
        {
            CheckTime(timeout, TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1), nameof(ItemTimeout));
        }

        CheckTime(ItemTimeoutGrace, TimeSpan.Zero, TimeSpan.FromHours(1), nameof(ItemTimeoutGrace));
        CheckTime(HeartbeatInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1), nameof(HeartbeatInterval));
        CheckTime(HeartbeatTimeout, HeartbeatInterval + TimeSpan.FromTicks(1), TimeSpan.FromDays(1), nameof(HeartbeatTimeout));
        if (MaxItemsPerWorker is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxItemsPerWorker), MaxItemsPerWorker, "MasterOptions.MaxItemsPerWorker must be at least 1");
        }

        if (MaxWorkerMemory is < 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxWorkerMemory), MaxWorkerMemory, "MasterOptions.MaxWorkerMemory must be at least 1 MiB");
        }

        if (MaxWorkerAge is { } age)
        {
            CheckTime(age, TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(365), nameof(MaxWorkerAge));
        }

        if (MetricsPort is { } port)
        {
            Check(port, 1, 65535, nameof(MetricsPort));
        }

        if (ControlToken is { Length: < 8 })
        {
            throw new ArgumentOutOfRangeException(nameof(ControlToken), "MasterOptions.ControlToken must be at least 8 characters");
        }

        CheckTime(MetricsLinger, TimeSpan.Zero, TimeSpan.FromHours(1), nameof(MetricsLinger));
        ArgumentException.ThrowIfNullOrWhiteSpace(MetricsHost);
        ArgumentNullException.ThrowIfNull(Halt);
        ArgumentNullException.ThrowIfNull(LoggerFactory);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        return this;
    }

    private static void CheckTime(TimeSpan value, TimeSpan min, TimeSpan max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"MasterOptions.{name} must be between {min} and {max}");
        }
    }

    internal MasterOptions Clone() => (MasterOptions)MemberwiseClone();

    private static void Check(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"MasterOptions.{name} must be between {min:N0} and {max:N0}");
        }
    }
}
