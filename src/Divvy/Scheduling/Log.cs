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

    /// <summary>The scheduler took a stop request; says in words what the stop does.</summary>
    public static void StopRequested(ILogger logger, string reason, bool force)
    {
        if (force)
        {
            StopForced(logger, reason.ToLowerInvariant());
        }
        else
        {
            StopGraceful(logger, reason.ToLowerInvariant());
        }
    }

    [LoggerMessage(8, LogLevel.Information, "{Reason}: no new items start; workers finish the items they hold, then exit")]
    private static partial void StopGraceful(ILogger logger, string reason);

    [LoggerMessage(20, LogLevel.Information, "{Reason}: killing the workers now")]
    private static partial void StopForced(ILogger logger, string reason);

    [LoggerMessage(21, LogLevel.Warning, "stopping: {InFlight} will finish (up to {Timeout}, {Option}); Ctrl-C again to kill them")]
    public static partial void Stopping(ILogger logger, string inFlight, string timeout, string option);

    [LoggerMessage(22, LogLevel.Warning, "stopping: no item is in flight; Ctrl-C again to kill the workers")]
    public static partial void StoppingIdle(ILogger logger);

    [LoggerMessage(23, LogLevel.Warning, "killing workers")]
    public static partial void Killing(ILogger logger);

    [LoggerMessage(9, LogLevel.Error, "Dispatch threw; finishing accepted items, then stopping")]
    public static partial void DispatchFailed(ILogger logger, Exception error);

    [LoggerMessage(10, LogLevel.Error, "a job hook threw in the master; stopping")]
    public static partial void HookFailed(ILogger logger, Exception error);

    [LoggerMessage(11, LogLevel.Debug, "spawn throttled for {Milliseconds:F0} ms (MasterOptions.MaxSpawnsPerSecond, divvy --max-spawn-rate)")]
    public static partial void SpawnThrottled(ILogger logger, double milliseconds);

    [LoggerMessage(13, LogLevel.Information, "item {Item} attempt {Attempt} {Outcome}; retrying in {Milliseconds:F0} ms")]
    public static partial void ItemRetrying(ILogger logger, long item, int attempt, string outcome, double milliseconds);

    /// <summary>An item crashed <paramref name="crashes"/> workers and is set aside.</summary>
    public static void ItemQuarantined(ILogger logger, long item, int crashes) => ItemQuarantined(logger, item, Words.Count(crashes, "worker", "workers"));

    [LoggerMessage(14, LogLevel.Warning, "item {Item} quarantined as poison: it crashed {Crashes} (MasterOptions.PoisonThreshold, divvy --poison-after)")]
    private static partial void ItemQuarantined(ILogger logger, long item, string crashes);

    /// <summary>An item lost <paramref name="losses"/> worker connections and is set aside.</summary>
    public static void ItemQuarantinedForLosses(ILogger logger, long item, int losses) => ItemQuarantinedForLosses(logger, item, Words.Count(losses, "worker", "workers"));

    [LoggerMessage(25, LogLevel.Warning, "item {Item} quarantined: {Losses} lost their connection while holding it (MasterOptions.MaxConnectionLosses, divvy --max-connection-losses)")]
    private static partial void ItemQuarantinedForLosses(ILogger logger, long item, string losses);

    [LoggerMessage(26, LogLevel.Warning, "{Worker} lost: {End}, holding {Item}; what it held is sent again")]
    public static partial void WorkerLost(ILogger logger, string worker, string end, string item);

    [LoggerMessage(15, LogLevel.Information, "{Worker} recycling: {Reason} limit reached")]
    public static partial void WorkerRecycling(ILogger logger, string worker, string reason);

    [LoggerMessage(16, LogLevel.Warning, "halting: {Reason}")]
    public static partial void Halted(ILogger logger, string reason);

    [LoggerMessage(17, LogLevel.Information, "resizing the pool from {From} to {To} workers")]
    public static partial void Resized(ILogger logger, int from, int to);

    [LoggerMessage(24, LogLevel.Debug, "{Worker} was written off ({Why}); refusing what it still sends, starting with item {Item}")]
    public static partial void LateResultRefused(ILogger logger, string worker, string why, long item);

    [LoggerMessage(27, LogLevel.Information, "{Worker} takes no more items: {Left:F0} s left of its walltime, and items have taken up to {Longest:F1} s")]
    public static partial void WorkerRetiresBeforeWalltime(ILogger logger, string worker, double left, double longest);

    [LoggerMessage(28, LogLevel.Warning, "{Worker} died without saying which of the {Count} items it held it was performing (killed outright, or a stack overflow): each is tried again alone, no attempt charged, to find the one that crashed it")]
    public static partial void CrashUnattributed(ILogger logger, string worker, int count);

    [LoggerMessage(29, LogLevel.Warning, "journal {Path}: dropped {Bytes} bytes at its end, a record cut short (the master was killed while writing it); that item runs again")]
    public static partial void JournalTorn(ILogger logger, string path, long bytes);

    [LoggerMessage(30, LogLevel.Information, "journal {Path}: {Earlier} items settled in earlier runs, {Succeeded} of them succeeded; {Policy}")]
    public static partial void JournalOpened(ILogger logger, string path, int earlier, int succeeded, string policy);

    [LoggerMessage(12, LogLevel.Information, "run {Summary}")]
    public static partial void RunFinished(ILogger logger, string summary);
}
