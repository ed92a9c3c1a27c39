using System.Diagnostics;
using Divvy.Framing;
using Divvy.Protocol;
using MessagePack;

namespace Divvy.Worker;

/// <summary>One item in the in-order loop: its Perform, its result or failure written, and how a failure is classed.</summary>
internal sealed partial class WorkerHost
{
    private void Perform(ItemMessage item, FrameWriter writer)
    {
        long started = Stopwatch.GetTimestamp();

        // A token source only when there is a deadline to enforce: most runs have none.
        using CancellationTokenSource? deadline = _start.ItemTimeoutTicks > 0 ? new CancellationTokenSource(TimeSpan.FromTicks(_start.ItemTimeoutTicks)) : null;

        // A span only for an item the master traces: an untraced worker never loads System.Diagnostics.DiagnosticSource.
        using IDisposable? span = item.TraceParent is null ? null : Tracing.DivvySpans.StartPerform(item.TraceParent, item.TraceState, item.Id);
        try
        {
            ValueTask performing = _job.PerformAsync(item.Payload, deadline?.Token ?? CancellationToken.None);
            if (!performing.IsCompletedSuccessfully)
            {
                // A PerformAsync that really waits (or failed): this thread waits with it, one item at
                // a time as ever, while the reader thread goes on answering the master's pings.
                performing.AsTask().GetAwaiter().GetResult();
            }
        }
        catch (Exception ex)
        {
            // Whatever Perform throws belongs to this item alone; the worker carries on.
            FailureKind kind = Classify(ex, deadline?.IsCancellationRequested == true);
            Tracing.DivvySpans.FailPerform(span, ex);
            DrainOutput();
            Locked(() => WriteFailure(writer, item.Id, Stopwatch.GetElapsedTime(started).Ticks, kind, ex));
            return;
        }
        finally
        {
            // Perform has read the item: its frame can be reused.
            item.Lease?.Release();
        }

        long elapsed = Stopwatch.GetElapsedTime(started).Ticks;
        DrainOutput();
        lock (_writeLock)
        {
            try
            {
                _job.WriteResult(_results!, item.Id, elapsed);
            }
            catch (Exception ex) when (ex is MessagePackSerializationException or FrameTooLargeException)
            {
                // The result cannot travel (unserializable, or over the frame limit): the item fails, not the worker.
                Write(writer, new FailureMessage(item.Id, elapsed, FailureKind.Permanent, RemoteError.From(ex)));
            }

            if (_results!.OpenBytes >= MessageCodec.PreferredBatchBytes)
            {
                // The next result starts a new frame: frames the master keeps stay small (see PreferredBatchBytes).
                _results.Close();
            }

            if (writer.Pending >= FlushEveryBytes)
            {
                // Big results go out in pieces of about this size: one buffer grown for dozens of
                // them would be reallocated, copied and thrown away on every flush.
                _results.Close();
                writer.Flush();
            }
        }
    }

    private FailureKind Classify(Exception error, bool deadlinePassed)
    {
        switch (error)
        {
            case OperationCanceledException when deadlinePassed:
            case AttemptFailedException when deadlinePassed:
            case AttemptFailedException { TimedOut: true }:
                return FailureKind.TimedOut;
            case FailItemException:
                return FailureKind.Permanent;
            case RetryItemException:
                return FailureKind.Retry;
        }

        try
        {
            return _job.ShouldRetry(error) ? FailureKind.Retry : FailureKind.Permanent;
        }
        catch (Exception)
        {
            // A ShouldRetry that throws cannot tell us anything: keep the default.
            return FailureKind.Retry;
        }
    }

    /// <summary>
    /// Writes a failed attempt, with the result it carried (<see cref="AttemptFailedException"/>)
    /// when there is one; a result over the frame limit is left behind, the failure still goes.
    /// The caller holds the write lock.
    /// </summary>
    private void WriteFailure(FrameWriter writer, long id, long elapsedTicks, FailureKind kind, Exception error)
    {
        var failure = new FailureMessage(id, elapsedTicks, kind, RemoteError.From(error), _job.FailedResult(error));
        try
        {
            Write(writer, failure);
        }
        catch (FrameTooLargeException) when (failure.Result is not null)
        {
            // The frame was discarded whole: the failure goes again, without the result.
            Write(writer, failure with { Result = null });
        }
    }
}
