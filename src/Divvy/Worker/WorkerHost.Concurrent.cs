using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Divvy.Framing;
using Divvy.Protocol;
using MessagePack;

namespace Divvy.Worker;

/// <summary>
/// The item loop of a worker that performs up to K items at once (<see cref="MasterOptions.MaxConcurrentItemsPerWorker"/>):
/// items start in the order they arrived, each with its own deadline, and each result is sent as
/// soon as its item completes. A recycling limit stops new starts; the worker says it retires once
/// the items it runs have all completed, so nothing it reported is in flight behind the Retiring.
/// </summary>
internal sealed partial class WorkerHost
{
    /// <summary>
    /// Starts the items, blocking between starts (on the inbox, on a free slot); the items
    /// themselves run on the thread pool.
    /// </summary>
    private int RunConcurrently(FrameWriter writer, int limit)
    {
        // A synchronous Perform holds its thread for the whole item: have K threads ready at once
        // rather than wait for the pool to grow one thread at a time.
        ThreadPool.GetMinThreads(out int threads, out int ioThreads);
        if (threads < limit + 2)
        {
            ThreadPool.SetMinThreads(limit + 2, ioThreads);
        }

        // Not disposed: the last item's task may still touch them after this loop has returned
        // (neither holds anything that needs disposing when no wait handle or timer is used).
        var slots = new SemaphoreSlim(limit, limit);
        var done = new CancellationTokenSource();
        int running = 0;
        long started = 0;
        RecycleReason? recycling = null;
        ExceptionDispatchInfo? broken = null;

        async Task RunOneAsync(ItemMessage item)
        {
            try
            {
                await PerformOneAsync(item, writer).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // Writing to the master failed (it is gone): the loop rethrows it, as the in-order loop would.
                lock (_writeLock)
                {
                    broken ??= ExceptionDispatchInfo.Capture(ex);
                }
            }

            bool last;
            lock (_writeLock)
            {
                _performed++;
                recycling ??= broken is null ? RecycleReasonNow() : null;
                last = --running == 0 && (recycling is not null || broken is not null);
            }

            if (last)
            {
                // Only the last item to complete ends the loop early: nothing runs after it.
                done.Cancel();
            }

            slots.Release();
        }

        bool ended = false;
        try
        {
            while (_inbox.Take(done.Token) is { } batch)
            {
                foreach (ItemMessage item in batch)
                {
                    slots.Wait(done.Token);
                    bool stop;
                    lock (_writeLock)
                    {
                        // Past the item limit nothing starts (the master sends no more than it
                        // allows anyway): the last item to complete then retires the worker.
                        stop = recycling is not null || broken is not null || (_start.MaxItems > 0 && started >= _start.MaxItems);
                        if (!stop)
                        {
                            running++;
                            started++;
                        }
                    }

                    if (stop)
                    {
                        // Start nothing more; wait for the items still running to complete.
                        slots.Release();
                        done.Token.WaitHandle.WaitOne();
                        done.Token.ThrowIfCancellationRequested();
                    }

                    // Not awaited: the item runs while the next one starts.
                    _ = Task.Run(() => RunOneAsync(item));
                }
            }

            ended = true;
        }
        catch (OperationCanceledException) when (done.IsCancellationRequested)
        {
            // Recycling, or the master is gone: the items still queued here were never started.
        }

        if (ended)
        {
            // Stop arrived and every item has started: wait for them all.
            for (int i = 0; i < limit; i++)
            {
                slots.Wait();
            }
        }

        broken?.Throw();
        _finishing = true;
        lock (_writeLock)
        {
            if (recycling is { } reason)
            {
                Write(writer, new RetiringMessage(reason));
            }

            writer.Flush();
        }

        return WorkerExitCodes.Finished;
    }

    /// <summary>Performs one item of several running at once and sends its outcome right away.</summary>
    private async Task PerformOneAsync(ItemMessage item, FrameWriter writer)
    {
        long started = Stopwatch.GetTimestamp();
        using CancellationTokenSource? deadline = _start.ItemTimeoutTicks > 0 ? new CancellationTokenSource(TimeSpan.FromTicks(_start.ItemTimeoutTicks)) : null;
        using IDisposable? span = item.TraceParent is null ? null : Tracing.DivvySpans.StartPerform(item.TraceParent, item.TraceState, item.Id);
        Action<FrameWriter, long, long> writeResult;
        try
        {
            writeResult = await _job.PerformConcurrentlyAsync(item.Payload, deadline?.Token ?? CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Whatever Perform throws belongs to this item alone; the others carry on.
            FailureKind kind = Classify(ex, deadline?.IsCancellationRequested == true);
            Tracing.DivvySpans.FailPerform(span, ex);
            DrainOutput();
            lock (_writeLock)
            {
                WriteFailure(writer, item.Id, Stopwatch.GetElapsedTime(started).Ticks, kind, ex);
                writer.Flush();
            }

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
                writeResult(writer, item.Id, elapsed);
            }
            catch (Exception ex) when (ex is MessagePackSerializationException or FrameTooLargeException)
            {
                // The result cannot travel: the item fails, not the worker.
                Write(writer, new FailureMessage(item.Id, elapsed, FailureKind.Permanent, RemoteError.From(ex)));
            }

            writer.Flush();
        }
    }
}
