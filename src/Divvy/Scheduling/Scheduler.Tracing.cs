using Divvy.Jobs;
using Divvy.Protocol;
using Divvy.Tracing;

namespace Divvy.Scheduling;

/// <summary>
/// The run's and the attempts' spans (<see cref="DivvySpans"/>). Each call is one line in the loop;
/// with nothing listening, each costs a flag read and allocates nothing.
/// </summary>
internal sealed partial class Scheduler
{
    /// <summary>The most a trace context adds to an item's entry: a <c>traceparent</c> and a <c>tracestate</c> of the W3C maximum, 512.</summary>
    private const int MaxTraceBytes = 55 + 512 + 10;

    private IDisposable? _runSpan;

    /// <summary>Starts the run's span, current for the rest of the run's flow (the dispatch pump included).</summary>
    private void StartRunSpan()
    {
        if (TraceGate.IsListening)
        {
            _runSpan = DivvySpans.StartRun(_job.JobType, _options.Workers);
        }
    }

    /// <summary>Ends the run's span, once: with the summary, or (<c>null</c>) when the run ended by an exception.</summary>
    private void EndRunSpan(RunSummary? summary)
    {
        if (Interlocked.Exchange(ref _runSpan, null) is { } span)
        {
            DivvySpans.EndRun(span, summary);
        }
    }

    /// <summary>Starts the span of the attempt <paramref name="item"/> is being sent for.</summary>
    private void StartAttemptSpan(DispatchedItem item, WorkerConnection worker)
    {
        if (TraceGate.IsListening)
        {
            // An item within a few hundred bytes of the frame limit travels without its context, not over the limit.
            bool carry = MessageCodec.EntrySize(item) + MessageCodec.BatchOverhead + MaxTraceBytes <= _options.MaxFrameSize;
            item.Trace = DivvySpans.StartAttempt(_runSpan, item.Id, item.Attempts + 1, worker.Info, carry);
        }
    }

    /// <summary>Ends the span of the attempt that just settled, if it has one.</summary>
    private static void EndAttemptSpan(DispatchedItem item, AttemptOutcome outcome, RemoteError? error)
    {
        if (item.Trace is { } trace)
        {
            item.Trace = null;
            DivvySpans.EndAttempt(trace, Words.Of(outcome), outcome == AttemptOutcome.Succeeded, error?.Message);
        }
    }
}
