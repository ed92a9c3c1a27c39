using Divvy.Jobs;

namespace Divvy.Scheduling;

/// <summary>
/// Where every accepted item is while it is not in a worker's hands, and how items settled: the
/// dispatch queue the pump fills, items sent back (front of the line), items waiting out a retry
/// backoff, and the run's counts. Every accepted item ends in exactly one outcome counter.
/// </summary>
internal sealed class ItemLedger
{
    private const int DispatchQueueCapacity = 1024;
    private const long DispatchQueueBytes = 1024 * 1024;

    private readonly DispatchQueue _dispatched = new(DispatchQueueCapacity, DispatchQueueBytes);
    private readonly Queue<DispatchedItem> _requeued = new();
    private readonly PriorityQueue<DispatchedItem, long> _delayed = new();

    /// <summary>The run's accounting.</summary>
    public RunCounters Counts { get; } = new();

    /// <summary>Items ready for a worker now: sent back, or dispatched and not yet taken.</summary>
    public int Waiting => _requeued.Count + _dispatched.Count;

    /// <summary>Items waiting out a retry backoff.</summary>
    public int Delayed => _delayed.Count;

    /// <summary>When the next delayed item is due, as a timestamp; <c>null</c> when none waits.</summary>
    public long? NextDue => _delayed.TryPeek(out _, out long due) ? due : null;

    /// <summary>The pump's side: adds a dispatched item; <c>true</c> when the queue was empty before.</summary>
    public ValueTask<bool> AddAsync(DispatchedItem item, CancellationToken cancellationToken) => _dispatched.AddAsync(item, cancellationToken);

    /// <summary>
    /// The next item for a worker, items sent back first; <paramref name="fresh"/> when it comes
    /// from Dispatch and is counted now. An item that goes alone (<see cref="DispatchedItem.SentAlone"/>)
    /// is taken only for a worker that holds nothing (<paramref name="workerIsEmpty"/>); the items
    /// behind it wait for it to go.
    /// </summary>
    public bool TryTake(bool workerIsEmpty, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DispatchedItem? item, out bool fresh)
    {
        fresh = false;
        if (_requeued.TryPeek(out item))
        {
            if (item.SentAlone && !workerIsEmpty)
            {
                item = null;
                return false;
            }

            _requeued.Dequeue();
            return true;
        }

        if (_dispatched.TryTake(out item))
        {
            Counts.Dispatched++;
            fresh = true;
            return true;
        }

        return false;
    }

    /// <summary>An item Dispatch yielded that never reached the queue: accepted all the same, so it is counted.</summary>
    public void Accept() => Counts.Dispatched++;

    /// <summary>Puts items a worker held but never started back at the front of the line, in order.</summary>
    public void Requeue(IEnumerable<DispatchedItem> items)
    {
        var behind = new List<DispatchedItem>(_requeued);
        _requeued.Clear();
        foreach (DispatchedItem item in items)
        {
            _requeued.Enqueue(item);
        }

        foreach (DispatchedItem item in behind)
        {
            _requeued.Enqueue(item);
        }
    }

    /// <summary>Holds an item back until <paramref name="due"/> (a timestamp).</summary>
    public void Delay(DispatchedItem item, long due) => _delayed.Enqueue(item, due);

    /// <summary>Moves delayed items that are due by <paramref name="now"/> to the back of the line.</summary>
    public void ReleaseDue(long now)
    {
        while (_delayed.TryPeek(out DispatchedItem? item, out long due) && due <= now)
        {
            _delayed.Dequeue();
            _requeued.Enqueue(item);
        }
    }

    /// <summary>Counts an item's last word.</summary>
    public void Record(ItemStatus status)
    {
        switch (status)
        {
            case ItemStatus.Succeeded: Counts.Succeeded++; break;
            case ItemStatus.Failed: Counts.Failed++; break;
            case ItemStatus.Crashed: Counts.Crashed++; break;
            case ItemStatus.TimedOut: Counts.TimedOut++; break;
            case ItemStatus.Quarantined: Counts.Quarantined++; break;
            case ItemStatus.NotPerformed: Counts.NotPerformed++; break;
            case ItemStatus.Skipped: Counts.Skipped++; break;
        }
    }

    /// <summary>After the last worker is gone: every item still here, unsent ones counted as dispatched, for settling as not performed.</summary>
    public IEnumerable<DispatchedItem> TakeLeftovers()
    {
        while (_dispatched.TryTake(out DispatchedItem? unsent))
        {
            Counts.Dispatched++;
            yield return unsent;
        }

        while (_requeued.TryDequeue(out DispatchedItem? queued))
        {
            yield return queued;
        }

        while (_delayed.TryDequeue(out DispatchedItem? waiting, out _))
        {
            yield return waiting;
        }
    }
}
