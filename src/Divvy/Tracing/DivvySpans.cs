using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Divvy.Tracing;

/// <summary>
/// Divvy's <see cref="ActivitySource"/> (<see cref="SourceName"/>) and the spans it makes: the run,
/// each attempt of an item in the master (sent to settled), and the item's Perform in the worker, the
/// child of its attempt through the W3C context the item frame carries. The only type that touches
/// System.Diagnostics.DiagnosticSource: every member is kept out of its callers (no inlining), so a
/// master nobody traces, and a worker that receives no trace context, never load that assembly.
/// </summary>
internal static class DivvySpans
{
    /// <summary>The name to listen to: <c>AddSource("Divvy")</c> in OpenTelemetry.</summary>
    public const string SourceName = "Divvy";

    private static readonly ActivitySource Source = new(SourceName, typeof(DivvySpans).Assembly.GetName().Version?.ToString());

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static bool HasListeners() => Source.HasListeners();

    /// <summary>The run's span, made the current activity of the caller's flow (Dispatch runs under it); <c>null</c> when nobody samples it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static IDisposable? StartRun(Type job, int workers)
    {
        Activity? run = Source.StartActivity("divvy.run", ActivityKind.Internal);
        run?.SetTag("divvy.job", job.FullName);
        run?.SetTag("divvy.workers", workers);
        return run;
    }

    /// <summary>Ends the run's span with the summary's counts; an error status unless the run succeeded.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void EndRun(IDisposable span, RunSummary? summary)
    {
        var run = (Activity)span;
        if (summary is { } done)
        {
            run.SetTag("divvy.dispatched", done.Dispatched);
            run.SetTag("divvy.succeeded", done.Succeeded);
            run.SetTag("divvy.failed", done.Failed + done.Crashed + done.TimedOut + done.Quarantined);
            run.SetTag("divvy.not_performed", done.NotPerformed);
            run.SetTag("divvy.stop_reason", done.StopReason.ToString());
            run.SetStatus(done.IsSuccess ? ActivityStatusCode.Ok : ActivityStatusCode.Error, done.IsSuccess ? null : done.ToString());
        }
        else
        {
            run.SetStatus(ActivityStatusCode.Error, "the run ended without a summary");
        }

        Stop(run);
    }

    /// <summary>
    /// Starts an attempt's span, the child of <paramref name="run"/>, without making it the current
    /// activity (the scheduler's loop goes on under the run). <paramref name="carry"/> false keeps
    /// the context off the wire (an item too close to the frame limit). <c>null</c> when nobody samples it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static ItemTrace? StartAttempt(IDisposable? run, long item, int attempt, WorkerInfo worker, bool carry)
    {
        Activity? previous = Activity.Current;
        ActivityContext parent = run is Activity runActivity ? runActivity.Context : default;
        Activity? span = Source.StartActivity("divvy.attempt", ActivityKind.Client, parent);
        Activity.Current = previous;
        if (span is null)
        {
            return null;
        }

        if (span.IsAllDataRequested)
        {
            span.SetTag("divvy.item.id", item);
            span.SetTag("divvy.attempt", attempt);
            span.SetTag("divvy.worker", worker.Number);
            span.SetTag("divvy.worker.pid", worker.ProcessId);
        }

        // Only a W3C id is a traceparent; a process set to hierarchical ids keeps its spans local.
        bool w3c = carry && span.IdFormat == ActivityIdFormat.W3C;
        return new ItemTrace(span, w3c ? span.Id : null, w3c ? span.TraceStateString : null);
    }

    /// <summary>Ends an attempt's span with its outcome; an error status unless it succeeded.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void EndAttempt(ItemTrace trace, string outcome, bool succeeded, string? error)
    {
        var span = (Activity)trace.Span;
        span.SetTag("divvy.status", outcome);
        if (!succeeded)
        {
            span.SetStatus(ActivityStatusCode.Error, error ?? outcome);
        }

        Stop(span);
    }

    /// <summary>
    /// The worker's span for one item's Perform, the child of the attempt that <paramref name="traceParent"/>
    /// names, and the current activity while Perform runs. Made even when nothing in the worker
    /// listens, so that the job's own calls (HTTP, logging scopes) still carry the run's trace.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static IDisposable StartPerform(string traceParent, string? traceState, long item)
    {
        Activity? span = ActivityContext.TryParse(traceParent, traceState, isRemote: true, out ActivityContext parent)
            ? Source.StartActivity("divvy.perform", ActivityKind.Server, parent)
            : null;
        if (span is null)
        {
            span = new Activity("divvy.perform");
            span.SetParentId(traceParent);
            span.TraceStateString = traceState;
            span.Start();
        }

        span.SetTag("divvy.item.id", item);
        return span;
    }

    /// <summary>Marks a Perform span as failed with what Perform threw; nothing without a span.</summary>
    public static void FailPerform(IDisposable? span, Exception error)
    {
        if (span is not null)
        {
            FailPerformSpan(span, error);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailPerformSpan(IDisposable span, Exception error)
    {
        var perform = (Activity)span;
        perform.SetTag("exception.type", error.GetType().FullName);
        perform.SetTag("exception.message", error.Message);
        perform.SetStatus(ActivityStatusCode.Error, error.Message);
    }

    /// <summary>Stops a span without changing the current activity of the caller's flow.</summary>
    private static void Stop(Activity span)
    {
        Activity? current = Activity.Current;
        span.Stop();
        Activity.Current = current == span ? span.Parent : current;
    }
}
