namespace Divvy.Monitoring;

/// <summary>
/// A run's state at one moment, taken by the scheduler between two of its steps, so every figure
/// in it agrees with the others. What a dashboard shows.
/// </summary>
public sealed class RunSnapshot
{
    /// <summary>The counts so far, the duration percentiles, the slowest items and launches by reason; its <see cref="RunSummary.StopReason"/> means something only once <see cref="Finished"/>.</summary>
    public required RunSummary Summary { get; init; }

    /// <summary>Items held by workers.</summary>
    public required int InFlight { get; init; }

    /// <summary>Items accepted and waiting for a worker, retries waiting out their backoff included.</summary>
    public required int Queued { get; init; }

    /// <summary>The number of workers the run aims for.</summary>
    public required int TargetWorkers { get; init; }

    /// <summary>Every slot with a worker in it or on its way, in slot order.</summary>
    public required IReadOnlyList<WorkerSnapshot> Workers { get; init; }

    /// <summary>The latest attempts that did not succeed, newest first (at most 20).</summary>
    public required IReadOnlyList<FailedAttempt> RecentFailures { get; init; }

    /// <summary>Item durations, from 1 ms to 5 minutes in steps of about 2.5x; the last bar holds longer ones.</summary>
    public required IReadOnlyList<DurationBucket> Durations { get; init; }

    /// <summary>Whether the run takes new items: false once it is stopping or has ended.</summary>
    public required bool Accepting { get; init; }

    /// <summary>Whether the run is over: nothing in this snapshot will change again.</summary>
    public required bool Finished { get; init; }
}
