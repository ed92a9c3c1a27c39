using Divvy.Jobs;

namespace Divvy.Scheduling;

/// <summary>The dispatch pump: the job's <c>Dispatch</c> on a thread-pool thread, feeding the queue (or the journal's skipped items) while the loop runs.</summary>
internal sealed partial class Scheduler
{
    // An item Dispatch yielded that is neither queued nor set aside yet: if the pump stops here, it settles as not performed.
    private DispatchedItem? _pumpHolds;

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        Exception? error = null;
        try
        {
            if (_job.Shape.DispatchesSynchronously)
            {
                // A plain IEnumerable: no async iterator per item, just the queue.
                foreach (DispatchedItem item in _job.Dispatch())
                {
                    _pumpHolds = item;
                    cancellationToken.ThrowIfCancellationRequested();
                    await TakeAsync(item, cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                await foreach (DispatchedItem item in _job.DispatchAsync(cancellationToken).ConfigureAwait(false))
                {
                    _pumpHolds = item;
                    await TakeAsync(item, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run stopped early and said so; a cancelled Dispatch is not an error. An item
            // Dispatch yielded but the queue never took is still the caller's: it settles as not performed.
        }
        catch (Exception ex)
        {
            // Dispatch is user code: whatever it throws ends the run, after accepted items settle.
            error = ex;
        }

        PostSkippedNow();
        _events.Writer.TryWrite(new DispatchEnded(error, _pumpHolds));
    }

    /// <summary>Queues an item Dispatch yielded, or sets it aside when the journal says an earlier run settled it (it is the batch's then, reported as skipped).</summary>
    private async ValueTask TakeAsync(DispatchedItem item, CancellationToken cancellationToken)
    {
        if (_journal is not null && SetAside(item))
        {
            _pumpHolds = null;
            await PostSkippedIfFullAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        await EnqueueAsync(item, cancellationToken).ConfigureAwait(false);
        _pumpHolds = null;
    }

    private async ValueTask EnqueueAsync(DispatchedItem item, CancellationToken cancellationToken)
    {
        if (_skipped is not null)
        {
            // Items skipped before this one are reported now, not when Dispatch ends.
            await PostSkippedAsync(cancellationToken).ConfigureAwait(false);
        }

        if (await _ledger.AddAsync(item, cancellationToken).ConfigureAwait(false))
        {
            // The queue was empty: the loop may be asleep with a worker free.
            _events.Writer.TryWrite(ItemsQueued.Instance);
        }
    }

    private void OnDispatchEnded(DispatchEnded ended)
    {
        _run.EndDispatch();
        if (ended.Unqueued is { } unqueued)
        {
            _ledger.Accept();
            Abandon(unqueued, new WorkerInfo(0, null));
        }

        if (ended.Error is ItemSerializationException)
        {
            // Not Dispatch's fault, and the exception Run throws says all there is to say: logging
            // it as well would print the same line twice wherever the log goes to the console.
            _run.Fail(ended.Error);
        }
        else if (ended.Error is not null)
        {
            // Items already accepted still run; the error surfaces when they have settled.
            Log.DispatchFailed(_log, ended.Error);
            _run.Fail(ended.Error);
        }
    }
}
