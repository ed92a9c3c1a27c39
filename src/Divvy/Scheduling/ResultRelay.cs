using System.Threading.Channels;
using Divvy.Jobs;

namespace Divvy.Scheduling;

/// <summary>
/// Settled items on their way from the scheduler's loop to one reader off the loop, in completion
/// order: the job's <c>OnResultAsync</c> (a pump of its own) or a stream's reader (which runs that
/// hook first, when the job has one). The loop never waits here: it adds and moves on. When
/// <see cref="Capacity"/> items wait, the loop hands out no new item (<see cref="PausesDispatch"/>) and
/// is woken once the reader has taken half of them, as the dispatch queue wakes its pump: memory
/// stays bounded, and a slow reader slows dispatch without stopping heartbeats or crash handling.
/// </summary>
internal sealed class ResultRelay
{
    /// <summary>Settled items that may wait for the reader before dispatch pauses.</summary>
    public const int Capacity = 1024;

    private readonly Channel<SettledItem> _items = Channel.CreateUnbounded<SettledItem>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _terminated = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IJob _job;
    private readonly bool _streamed;
    private Action _roomAgain = static () => { };
    private Action<Exception> _hookFailed = static _ => { };
    private Action _stopRun = static () => { };
    private Task _pump = Task.CompletedTask;
    private int _count;
    private int _loopWaits;
    private Exception? _firstFailure;

    /// <param name="job">Whose <c>OnResultAsync</c> runs for each item, when its shape says it has one.</param>
    /// <param name="streamed">A stream's reader takes the items; otherwise a pump of the relay's own does.</param>
    public ResultRelay(IJob job, bool streamed)
    {
        _job = job;
        _streamed = streamed;
    }

    /// <summary>The relay a run needs without a stream: one when the job has <c>OnResultAsync</c>, else none.</summary>
    public static ResultRelay? For(IJob job) => job.Shape.ReportsResultsAsynchronously ? new ResultRelay(job, streamed: false) : null;

    /// <summary>Items added and not yet taken by the reader.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The first exception an <c>OnResultAsync</c> call threw, once the reader is done.</summary>
    public Exception? FirstFailure => Volatile.Read(ref _firstFailure);

    /// <summary>
    /// Wires the relay to its scheduler, before the run: how to wake the loop, report a failed
    /// hook, and stop the run when a stream's reader leaves early. Starts the pump when no stream reads.
    /// </summary>
    public void Attach(Action roomAgain, Action<Exception> hookFailed, Action stopRun)
    {
        _roomAgain = roomAgain;
        _hookFailed = hookFailed;
        _stopRun = stopRun;
        if (!_streamed)
        {
            _pump = Task.Run(PumpAsync);
        }
    }

    /// <summary>
    /// The loop's question before it hands out an item: <c>true</c> while <see cref="Capacity"/>
    /// items wait, and then the loop will be woken (the callback given to <see cref="Attach"/>)
    /// when half of them have been taken.
    /// </summary>
    public bool PausesDispatch()
    {
        if (Volatile.Read(ref _count) < Capacity)
        {
            return false;
        }

        Interlocked.Exchange(ref _loopWaits, 1);
        // The reader may have taken items between the two reads without seeing the flag: look again.
        return Volatile.Read(ref _count) >= Capacity;
    }

    /// <summary>The loop's side: one more settled item, never waiting.</summary>
    public void Add(SettledItem item)
    {
        Interlocked.Increment(ref _count);
        _items.Writer.TryWrite(item);
    }

    /// <summary>A forced stop: hooks still running are cancelled.</summary>
    public void Terminate() => _terminated.Cancel();

    /// <summary>
    /// The loop has ended and every item is in: the reader ends after the last. Completes when the
    /// job's <c>OnResultAsync</c> has run for every item (at once when the job has none).
    /// </summary>
    public Task CompleteAsync()
    {
        _items.Writer.TryComplete();
        if (!_job.Shape.ReportsResultsAsynchronously)
        {
            return Task.CompletedTask;
        }

        return _streamed ? _drained.Task : _pump;
    }

    /// <summary>
    /// The reader's side: the next settled item, after the job's <c>OnResultAsync</c> has run for it;
    /// <c>null</c> once the run has ended and every item has been read. Call <see cref="Taken"/> when done with it.
    /// </summary>
    public async ValueTask<SettledItem?> ReadAsync()
    {
        SettledItem item;
        while (!_items.Reader.TryRead(out item))
        {
            if (!await _items.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                _drained.TrySetResult();
                return null;
            }
        }

        if (_job.Shape.ReportsResultsAsynchronously)
        {
            await ReportAsync(item).ConfigureAwait(false);
        }

        return item;
    }

    /// <summary>The reader is done with an item: it no longer counts against <see cref="Capacity"/>.</summary>
    public void Taken()
    {
        if (Interlocked.Decrement(ref _count) <= Capacity / 2 && Volatile.Read(ref _loopWaits) == 1 && Interlocked.Exchange(ref _loopWaits, 0) == 1)
        {
            _roomAgain();
        }
    }

    /// <summary>
    /// A stream's reader leaves before the end (a <c>break</c>, an exception in its loop): the run
    /// stops as on Ctrl-C, and the items still to come go to <c>OnResultAsync</c> only.
    /// </summary>
    public async Task AbandonAsync()
    {
        _stopRun();
        while (await ReadAsync().ConfigureAwait(false) is not null)
        {
            Taken();
        }
    }

    private async Task PumpAsync()
    {
        while (await ReadAsync().ConfigureAwait(false) is not null)
        {
            Taken();
        }
    }

    private async ValueTask ReportAsync(SettledItem item)
    {
        try
        {
            await _job.ReportResultAsync(item, _terminated.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_terminated.IsCancellationRequested)
        {
            // The run was terminated and the hook gave up, as asked: not the hook's failure.
        }
        catch (Exception ex)
        {
            // OnResultAsync is user code: its first failure stops the run (the loop decides how);
            // the next items still get their call, as with OnResult.
            if (Interlocked.CompareExchange(ref _firstFailure, ex, null) is null)
            {
                _hookFailed(ex);
            }
        }
    }
}
