using Microsoft.Extensions.Logging;

namespace Divvy.Scheduling;

/// <summary>The master's log events, source-generated so a disabled level costs nothing.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "{Worker} spawned ({Spawned} so far)")]
    public static partial void WorkerSpawned(ILogger logger, string worker, int spawned);

    [LoggerMessage(2, LogLevel.Debug, "{Worker} ready")]
    public static partial void WorkerReady(ILogger logger, string worker);

    [LoggerMessage(3, LogLevel.Information, "{Worker} exited: {Exit}")]
    public static partial void WorkerExited(ILogger logger, string worker, string exit);

    [LoggerMessage(4, LogLevel.Warning, "{Worker} crashed: {Exit}, holding {Item}{Reason}")]
    public static partial void WorkerCrashed(ILogger logger, string worker, string exit, string item, string reason);

    // Debug: the error comes again in the line that reports the worker's death.
    [LoggerMessage(5, LogLevel.Debug, "{Worker} failed in {Stage}: {Error}")]
    public static partial void WorkerFatal(ILogger logger, string worker, string stage, string error);

    [LoggerMessage(6, LogLevel.Warning, "item {Item} {Status} on {Worker}: {Error}")]
    public static partial void ItemFailed(ILogger logger, long item, string worker, string status, string error);

    [LoggerMessage(7, LogLevel.Warning, "killing {Worker}: {Why}")]
    public static partial void WorkerKilled(ILogger logger, string worker, string why);

    [LoggerMessage(EventId = 18, Message = "{Worker} died before completing an item: {Exit}{Reason}")]
    public static partial void WorkerDiedAtBoot(ILogger logger, LogLevel level, string worker, string exit, string reason);

    [LoggerMessage(19, LogLevel.Debug, "killing {Worker}: {Why}")]
    public static partial void WorkerKilledQuietly(ILogger logger, string worker, string why);

    [LoggerMessage(8, LogLevel.Information, "stop requested: {Reason} (force: {Force})")]
    public static partial void StopRequested(ILogger logger, string reason, bool force);

    [LoggerMessage(9, LogLevel.Error, "Dispatch threw; finishing accepted items, then stopping")]
    public static partial void DispatchFailed(ILogger logger, Exception error);

    [LoggerMessage(10, LogLevel.Error, "a job hook threw in the master; stopping")]
    public static partial void HookFailed(ILogger logger, Exception error);

    [LoggerMessage(11, LogLevel.Debug, "spawn throttled for {Milliseconds:F0} ms (MasterOptions.MaxSpawnsPerSecond)")]
    public static partial void SpawnThrottled(ILogger logger, double milliseconds);

    [LoggerMessage(13, LogLevel.Information, "item {Item} attempt {Attempt} ended {Outcome}; retrying in {Milliseconds:F0} ms")]
    public static partial void ItemRetrying(ILogger logger, long item, int attempt, string outcome, double milliseconds);

    [LoggerMessage(14, LogLevel.Warning, "item {Item} quarantined as poison: it crashed {Crashes} workers (MasterOptions.PoisonThreshold)")]
    public static partial void ItemQuarantined(ILogger logger, long item, int crashes);

    [LoggerMessage(15, LogLevel.Information, "{Worker} recycling: {Reason} limit reached")]
    public static partial void WorkerRecycling(ILogger logger, string worker, string reason);

    [LoggerMessage(16, LogLevel.Warning, "halting: {Reason}")]
    public static partial void Halted(ILogger logger, string reason);

    [LoggerMessage(17, LogLevel.Information, "resizing the pool from {From} to {To} workers")]
    public static partial void Resized(ILogger logger, int from, int to);

    [LoggerMessage(12, LogLevel.Information, "run {Summary}")]
    public static partial void RunFinished(ILogger logger, string summary);
}
