using Divvy.Protocol;

namespace Divvy.Worker;

/// <summary>
/// Items on their way from the worker's reader thread to its item loop, in batches: what one read
/// brought in. The loop blocks on it with a plain monitor: a Channel's async wait would cost every
/// worker the JIT-compiled plumbing of its generic types and state machines before its first item.
/// </summary>
/// <remarks>One writer (the reader thread), one reader (the item loop).</remarks>
internal sealed class ItemInbox
{
    private readonly Queue<List<ItemMessage>> _batches = new();
    // An object, not a Lock: the loop waits on it with Monitor.Wait.
    private readonly object _gate = new();
    private bool _completed;

    /// <summary>Whether no batch waits to be taken.</summary>
    public bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                return _batches.Count == 0;
            }
        }
    }

    /// <summary>Hands a batch on to the item loop.</summary>
    public void Post(List<ItemMessage> batch)
    {
        lock (_gate)
        {
            _batches.Enqueue(batch);
            Monitor.Pulse(_gate);
        }
    }

    /// <summary>No more batches will come (Stop, or the reader ended): <see cref="Take"/> returns <c>null</c> once the rest are taken.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>The next batch, waiting for one; <c>null</c> once completed and empty.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while nothing was there to take.</exception>
    public List<ItemMessage>? Take(CancellationToken cancellationToken = default)
    {
        // Registered only when there is something to cancel: the in-order loop never passes a token.
        using CancellationTokenRegistration wake = cancellationToken.CanBeCanceled ? cancellationToken.Register(WakeAll) : default;
        lock (_gate)
        {
            while (true)
            {
                if (_batches.TryDequeue(out List<ItemMessage>? batch))
                {
                    return batch;
                }

                if (_completed)
                {
                    return null;
                }

                cancellationToken.ThrowIfCancellationRequested();
                Monitor.Wait(_gate);
            }
        }
    }

    private void WakeAll()
    {
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }
    }
}
