namespace Divvy.Cli.Serve;

/// <summary>
/// At most N requests run at once; up to a bound more wait, in arrival order; beyond that a request
/// is refused at once (<c>busy</c>), never left waiting in silence.
/// </summary>
internal sealed class CommandSlots(int slots, int maxQueue)
{
    private readonly SemaphoreSlim _free = new(slots, slots);
    private int _queued;
    private int _busy;
    private long _served;

    public int Slots => slots;

    public int MaxQueue => maxQueue;

    public int Busy => Volatile.Read(ref _busy);

    public int Queued => Volatile.Read(ref _queued);

    public long Served => Interlocked.Read(ref _served);

    /// <summary>Takes a slot, waiting behind the queue; <c>false</c> at once when the queue is full.</summary>
    public async Task<bool> TakeAsync(CancellationToken cancellationToken)
    {
        if (!_free.Wait(0))
        {
            if (Interlocked.Increment(ref _queued) > maxQueue)
            {
                Interlocked.Decrement(ref _queued);
                return false;
            }

            try
            {
                await _free.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _queued);
            }
        }

        Interlocked.Increment(ref _busy);
        return true;
    }

    public void Release()
    {
        Interlocked.Decrement(ref _busy);
        Interlocked.Increment(ref _served);
        _free.Release();
    }
}
