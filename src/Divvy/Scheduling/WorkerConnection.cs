using Divvy.Jobs;
using Divvy.Launching;
using Divvy.Protocol;
using Divvy.Transport;

namespace Divvy.Scheduling;

/// <summary>
/// The master's side of one worker: its launcher's handle, the channel it connects (messages in
/// become <see cref="SchedulerEvent"/>s), and the items the worker holds, oldest first. The worker
/// starts its items in the order they were sent, at most <see cref="MasterOptions.MaxConcurrentItemsPerWorker"/>
/// at a time, so the master knows which ones run (the first K it holds) and when each started (when
/// it entered that set); with K = 1 that is the oldest, and items settle strictly in order.
/// </summary>
internal sealed partial class WorkerConnection
{
    private static readonly TimeSpan s_exitAfterClose = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_drainAfterExit = TimeSpan.FromSeconds(2);

    private readonly StartMessage _start;
    private readonly TimeProvider _time;
    private readonly int _maxPrefetch;
    private readonly Lock _connecting = new();
    private volatile IWorkerChannel? _channel;
    private List<Message>? _early;
    private PrefetchWindow? _window;
    private List<DispatchedItem>? _unsent;
    private bool _stopPosted;

    // Items the worker performs now, in send order, and when each started: sized once to K, so
    // settling an item allocates nothing. Items sent behind them wait in _waiting, oldest first.
    private readonly DispatchedItem?[] _running;
    private readonly long[] _startedAt;
    private int _runningCount;
    private readonly Queue<DispatchedItem> _waiting = new();

    public WorkerConnection(IWorkerHandle handle, int incarnation, int maxPrefetch, StartMessage start, TimeProvider time)
    {
        long now = time.GetTimestamp();
        _time = time;
        Handle = handle;
        Incarnation = incarnation;
        _maxPrefetch = maxPrefetch;
        _start = start;
        _running = new DispatchedItem?[Math.Max(1, start.MaxConcurrentItems)];
        _startedAt = new long[_running.Length];
        LastHeard = now;
        LastPing = now;
    }

    public IWorkerHandle Handle { get; }

    /// <summary>The worker's slot, 1-based.</summary>
    public int Number => Handle.Info.Number;

    public WorkerInfo Info => Handle.Info;

    /// <summary>Which connection this is: numbered from 1 in launch order, never reused within a run.</summary>
    public int Incarnation { get; }

    /// <summary>How log lines name it: <c>worker 3, pid 4711, incarnation 7</c>.</summary>
    public string Name => $"{Info}, incarnation {Incarnation}";

    /// <summary>Where the worker is in its life; changed only through the methods below.</summary>
    public WorkerState State { get; private set; }

    /// <summary>The worker has said it is ready at some point (it may be stopping or killed since).</summary>
    public bool HasBeenReady { get; private set; }

    /// <summary>When the worker first said it was ready (a timestamp); its walltime counts from here.</summary>
    public long ReadyAt { get; private set; }

    /// <summary>Why the master killed it, once <see cref="State"/> is <see cref="WorkerState.Killed"/>.</summary>
    public KillReason? KilledFor { get; private set; }

    /// <summary>Results and failures refused because they arrived after the worker was written off.</summary>
    public int RefusedLate { get; private set; }

    /// <summary>Counts a result or failure refused after the write-off; <c>true</c> for the first.</summary>
    public bool RefuseLate() => ++RefusedLate == 1;

    /// <summary>Neither stopping, retiring, draining nor killed: it counts toward the pool's size.</summary>
    public bool IsActive => State is WorkerState.Booting or WorkerState.Ready;

    /// <summary>How many items the worker holds: sent and not yet settled.</summary>
    public int Holding => _runningCount + _waiting.Count;

    /// <summary>
    /// Whether this worker, dead, may have finished items whose results it never sent: it performed
    /// one item at a time, held several, and did not say before it died which one it was in (a
    /// worker leaving through the runtime sends its results and a <see cref="FatalMessage"/> first;
    /// one killed outright, or overflowing its stack, cannot).
    /// </summary>
    public bool MayHaveFinishedUnsent => _running.Length == 1 && Holding > 1 && FatalReason is null;

    /// <summary>The oldest item in progress, if any.</summary>
    public DispatchedItem? Head => _runningCount > 0 ? _running[0] : null;

    /// <summary>How many items the worker performs now: the first <see cref="MasterOptions.MaxConcurrentItemsPerWorker"/> it holds.</summary>
    public int Running => _runningCount;

    /// <summary>The <paramref name="index"/>-th item in progress, in send order.</summary>
    public DispatchedItem RunningItem(int index) => _running[index]!;

    /// <summary>When the <paramref name="index"/>-th item in progress started, as a timestamp.</summary>
    public long StartedAt(int index) => _startedAt[index];

    /// <summary>The first item in progress that has run longer than <paramref name="limit"/>, if any.</summary>
    public DispatchedItem? Overdue(long now, TimeSpan limit)
    {
        for (int i = 0; i < _runningCount; i++)
        {
            if (_time.GetElapsedTime(_startedAt[i], now) > limit)
            {
                return _running[i];
            }
        }

        return null;
    }

    /// <summary>When anything was last heard from the worker, as a timestamp.</summary>
    public long LastHeard { get; private set; }

    /// <summary>When the last heartbeat was sent, as a timestamp.</summary>
    public long LastPing { get; private set; }

    /// <summary>The worker's prefetch window; sized by its channel, so there once it is connected (before it can be ready).</summary>
    public PrefetchWindow Window => _window ?? throw new InvalidOperationException($"{Info} is not connected yet");

    /// <summary>Items this worker settled (succeeded or failed).</summary>
    public long Completed { get; private set; }

    /// <summary>What the worker said before dying on its own, or why the master refused it, if anything.</summary>
    public RemoteError? FatalReason { get; private set; }

    public int SpareCapacity
    {
        get
        {
            if (State != WorkerState.Ready || Head is { SentAlone: true })
            {
                // An item sent alone has the worker to itself until it settles.
                return 0;
            }

            long spare = Window.Current - Holding;
            if (_start.MaxItems > 0)
            {
                // No point sending items past the worker's recycling limit: they would come back.
                spare = Math.Min(spare, _start.MaxItems - Completed - Holding);
            }

            return (int)Math.Max(0, spare);
        }
    }

    /// <summary>Hands the worker an item; it goes out with the others sent in the same scheduler step, at <see cref="Flush"/>.</summary>
    public void Send(DispatchedItem item, long now)
    {
        if (_runningCount < _running.Length)
        {
            // A free slot: the worker starts the item as soon as it arrives.
            _running[_runningCount] = item;
            _startedAt[_runningCount++] = now;
        }
        else
        {
            _waiting.Enqueue(item);
        }

        (_unsent ??= []).Add(item);
    }

    /// <summary>Passes the items sent since the last flush to the writer, as one batch.</summary>
    public void Flush()
    {
        if (_unsent is { } items)
        {
            _unsent = null;

            // Items go only to a ready worker, whose channel is connected.
            _channel!.PostItems(items);
        }
    }

    /// <summary>Something arrived from the worker.</summary>
    public void Heard(long now) => LastHeard = now;

    /// <summary>The worker's last words before it dies on its own.</summary>
    public void NoteFatal(RemoteError error) => FatalReason = error;

    /// <summary>The worker broke the protocol: it is killed, and this is why.</summary>
    public void Refuse(RemoteError reason)
    {
        FatalReason = reason;
        Kill(KillReason.ProtocolError);
    }

    /// <summary>
    /// Takes the item the worker settled off it: that must be one it performs now (with K = 1, the
    /// oldest). The oldest waiting item starts in its place. <c>null</c> when it is not one of them
    /// (the caller refuses the worker).
    /// </summary>
    public DispatchedItem? TakeSettled(long id, long now)
    {
        int index = 0;
        while (index < _runningCount && _running[index]!.Id != id)
        {
            index++;
        }

        if (index == _runningCount)
        {
            return null;
        }

        DispatchedItem settled = _running[index]!;
        _runningCount--;
        if (index < _runningCount)
        {
            // Keep send order, so the first running item is the oldest.
            Array.Copy(_running, index + 1, _running, index, _runningCount - index);
            Array.Copy(_startedAt, index + 1, _startedAt, index, _runningCount - index);
        }

        if (_waiting.TryDequeue(out DispatchedItem? next))
        {
            _running[_runningCount] = next;
            _startedAt[_runningCount++] = now;
        }
        else
        {
            _running[_runningCount] = null;
        }

        Completed++;
        return settled;
    }

    /// <summary>Everything the worker still holds, oldest first; it holds nothing after.</summary>
    public IReadOnlyList<DispatchedItem> TakeAll()
    {
        var held = new DispatchedItem[Holding];
        for (int i = 0; i < _runningCount; i++)
        {
            held[i] = _running[i]!;
            _running[i] = null;
        }

        _waiting.CopyTo(held, _runningCount);
        _runningCount = 0;
        _waiting.Clear();
        return held;
    }

    /// <summary>The worker said it is ready: it takes items, unless it was told to stop before. Its handle learns who it is.</summary>
    public void MarkReady(ReadyMessage ready)
    {
        Handle.OnReady(ready);
        if (!HasBeenReady)
        {
            ReadyAt = _time.GetTimestamp();
        }

        HasBeenReady = true;
        if (State == WorkerState.Booting)
        {
            State = WorkerState.Ready;
        }
    }

    /// <summary>The worker announced it recycles; what it holds is no longer its to perform, and it is returned.</summary>
    public IReadOnlyList<DispatchedItem> MarkRetiring()
    {
        if (State != WorkerState.Killed)
        {
            State = WorkerState.Retiring;
        }

        return TakeAll();
    }

    /// <summary>The pool shrank: no more items; stopped now if it holds none, else once it has settled them.</summary>
    public void Drain()
    {
        if (State == WorkerState.Ready || State == WorkerState.Booting)
        {
            State = WorkerState.Draining;
            StopIfDrained();
        }
    }

    /// <summary>The pool grew again before a draining worker left: it takes items again.</summary>
    public bool Undrain()
    {
        if (State != WorkerState.Draining)
        {
            return false;
        }

        State = HasBeenReady ? WorkerState.Ready : WorkerState.Booting;
        return true;
    }

    /// <summary>A draining worker that holds nothing more is told to stop.</summary>
    public void StopIfDrained()
    {
        if (State == WorkerState.Draining && Holding == 0)
        {
            SendStop();
        }
    }

    /// <summary>Tells the worker to stop after what it holds; a retiring or killed worker keeps its state.</summary>
    public void SendStop()
    {
        if (!Handle.Connected.IsCompleted && State is WorkerState.Booting or WorkerState.Draining)
        {
            // No worker has come to this slot yet (a Slurm task still queued): there is no one to
            // tell, and the launcher may withdraw what it asked for.
            Kill(KillReason.Shutdown);
            return;
        }

        if (State is WorkerState.Booting or WorkerState.Ready or WorkerState.Draining)
        {
            State = WorkerState.Stopping;
        }

        if (!_stopPosted)
        {
            _stopPosted = true;
            Post(StopMessage.Instance);
        }
    }

    public void SendPing(long now)
    {
        LastPing = now;
        Post(PingMessage.Instance);
    }

    /// <summary>Kills the worker (a local one with its whole process tree) and writes it off, remembering why; the first reason sticks.</summary>
    public void Kill(KillReason reason)
    {
        KilledFor ??= reason;
        State = WorkerState.Killed;
        Handle.Kill(reason);
    }
}
