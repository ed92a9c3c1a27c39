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

    /// <summary>Where lifecycle events (spawn, exit, respawn) are logged. Default: nowhere.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>The clock used for durations and throttling. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

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

        ArgumentNullException.ThrowIfNull(LoggerFactory);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        return this;
    }

    private static void Check(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"MasterOptions.{name} must be between {min:N0} and {max:N0}");
        }
    }
}
