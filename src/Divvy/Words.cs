using System.Globalization;

namespace Divvy;

/// <summary>How counts and statuses read in messages: <c>1 worker</c>, <c>2 workers</c>, <c>timed out</c>.</summary>
internal static class Words
{
    /// <summary><c>1 retry</c>, <c>0 retries</c>, <c>2 retries</c>.</summary>
    public static string Count(long count, string one, string many) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? one : many)}");

    /// <summary><c>succeeded</c>, <c>failed</c>, <c>timed out</c>: a status as a sentence says it.</summary>
    public static string Of(ItemStatus status) => status switch
    {
        ItemStatus.TimedOut => "timed out",
        ItemStatus.NotPerformed => "not performed",
        _ => status.ToString().ToLowerInvariant(),
    };

    /// <summary><c>retry</c>, <c>failed</c>, <c>timed out</c>: an attempt's outcome as a sentence says it.</summary>
    public static string Of(AttemptOutcome outcome) => outcome switch
    {
        AttemptOutcome.TimedOut => "timed out",
        AttemptOutcome.WorkerLost => "lost its worker",
        _ => outcome.ToString().ToLowerInvariant(),
    };

    /// <summary><c>start</c>, <c>crash</c>, <c>timeout</c>, <c>recycle</c>, <c>unresponsive</c>: why a worker was launched, as the summary and metrics label it.</summary>
    internal static string Label(Scheduling.SpawnReason reason) => reason.ToString().ToLowerInvariant();

    internal static string Label(Scheduling.WorkerState state) => state.ToString().ToLowerInvariant();

    /// <summary><c>worker crashed</c>, <c>item timed out</c>: one of the master's verdicts as a sentence says it.</summary>
    public static string Of(RemoteErrorKind kind) => kind switch
    {
        RemoteErrorKind.ItemTimedOut => "item timed out",
        RemoteErrorKind.WorkerUnresponsive => "worker unresponsive",
        RemoteErrorKind.WorkerCrashed => "worker crashed",
        RemoteErrorKind.WorkerLost => "worker lost",
        RemoteErrorKind.ItemTooLarge => "item too large",
        RemoteErrorKind.ProtocolViolation => "protocol violation",
        _ => "exception",
    };

    /// <summary><c>timed_out</c>, <c>not_performed</c>: a status as a metric label value.</summary>
    public static string Label(ItemStatus status) => Of(status).Replace(' ', '_');
}
