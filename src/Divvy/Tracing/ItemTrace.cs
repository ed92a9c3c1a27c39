using System.Text;

namespace Divvy.Tracing;

/// <summary>
/// The span of an item's attempt in flight, and the W3C context the worker continues it with. Kept
/// on the item from its send until its attempt settles; only while something listens to Divvy's
/// activity source. The span is typed as <see cref="IDisposable"/> so that nothing which merely
/// reads an item's trace (the codec, in every master) needs System.Diagnostics.DiagnosticSource.
/// </summary>
internal sealed class ItemTrace
{
    public ItemTrace(IDisposable span, string? traceParent, string? traceState)
    {
        Span = span;
        TraceParent = traceParent;
        TraceState = traceState;

        // The two strings with their MessagePack headers (5 bytes at most each).
        WireBytes = traceParent is null ? 0 : Encoding.UTF8.GetByteCount(traceParent) + (traceState is null ? 0 : Encoding.UTF8.GetByteCount(traceState)) + 10;
    }

    /// <summary>The attempt's <see cref="System.Diagnostics.Activity"/>.</summary>
    public IDisposable Span { get; }

    /// <summary>The attempt's W3C <c>traceparent</c>, what the worker's Perform span is the child of; <c>null</c> when the context stays in the master.</summary>
    public string? TraceParent { get; }

    /// <summary>The W3C <c>tracestate</c> that travels with it, if any.</summary>
    public string? TraceState { get; }

    /// <summary>Bytes the context adds to the item's entry in a frame, at most.</summary>
    public int WireBytes { get; }
}
