using Divvy.Jobs;

namespace Divvy.Scheduling;

/// <summary>
/// Items the pump has taken from Dispatch, waiting for a worker. Bounded, so Dispatch is pulled
/// only about as fast as workers take items. Unlike a bounded channel, taking an item from a full
/// queue does not wake the pump every time: the pump sleeps until the queue is half empty, then
/// refills it in one go, so a fast run costs one thread hand-off per half queue rather than per item.
/// It is bounded in bytes too: big items waiting here are payloads kept alive (and copied by every
/// garbage collection) before any worker can take them.
/// </summary>
internal sealed class DispatchQueue
{
    private readonly Lock _gate = new();
    private readonly Queue<DispatchedItem> _items = new();
    private readonly int _capacity;
    private readonly long _maxBytes;
    private long _bytes;
    private TaskCompletionSource? _space;

    /// <param name="capacity">Most items held.</param>
    /// <param name="maxBytes">Most payload bytes held; one item is always let in, however big.</param>
    public DispatchQueue(int capacity, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 2);
        _capacity = capacity;
        _maxBytes = maxBytes;
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>
    /// Adds an item, waiting while the queue is full. Returns <c>true</c> when the queue was empty
    /// before, the one moment the consumer may be waiting for it.
    /// </summary>
    public ValueTask<bool> AddAsync(DispatchedItem item, CancellationToken cancellationToken)
    {
        // The common case, a queue with room, completes here without an async state machine.
        return TryAdd(item, out bool wasEmpty, out Task? space) ? new(wasEmpty) : AddWhenRoomAsync(item, space, cancellationToken);
    }

    public bool TryTake([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DispatchedItem? item)
    {
        TaskCompletionSource? wake = null;
        lock (_gate)
        {
            if (!_items.TryDequeue(out item))
            {
                return false;
            }

            _bytes -= item.Payload.Length;
            if (_space is not null && _items.Count <= _capacity / 2 && _bytes <= _maxBytes / 2)
            {
                wake = _space;
                _space = null;
            }
        }

        wake?.TrySetResult();
        return true;
    }

    private bool TryAdd(DispatchedItem item, out bool wasEmpty, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out Task? space)
    {
        lock (_gate)
        {
            if (_items.Count == 0 || (_items.Count < _capacity && _bytes < _maxBytes))
            {
                _items.Enqueue(item);
                _bytes += item.Payload.Length;
                wasEmpty = _items.Count == 1;
                space = null;
                return true;
            }

            _space ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            space = _space.Task;
            wasEmpty = false;
            return false;
        }
    }

    private async ValueTask<bool> AddWhenRoomAsync(DispatchedItem item, Task space, CancellationToken cancellationToken)
    {
        while (true)
        {
            await space.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (TryAdd(item, out bool wasEmpty, out Task? more))
            {
                return wasEmpty;
            }

            space = more;
        }
    }
}
