using System.Threading.Channels;
using Divvy.Jobs;
using Divvy.Launching;
using Divvy.Protocol;
using Divvy.Transport;

namespace Divvy.Scheduling;

/// <summary>
/// The master's side of one worker: its launcher's handle, the channel it connects (messages in
/// become <see cref="SchedulerEvent"/>s), and the items the worker holds, oldest first. The worker
/// performs its items in order, so the oldest is always the one in progress.
/// </summary>
internal sealed class WorkerConnection
{
    private static readonly TimeSpan s_exitAfterClose = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_drainAfterExit = TimeSpan.FromSeconds(2);

    private readonly StartMessage _start;
    private readonly int _maxPrefetch;
    private readonly Lock _connecting = new();
    private volatile IWorkerChannel? _channel;
    private List<Message>? _early;
    private PrefetchWindow? _window;
    private List<DispatchedItem>? _unsent;

    public WorkerConnection(IWorkerHandle handle, int maxPrefetch, StartMessage start, long now)
    {
        Handle = handle;
        _maxPrefetch = maxPrefetch;
        _start = start;
        LastHeard = now;
        LastPing = now;
    }

    public IWorkerHandle Handle { get; }

    /// <summary>The worker's slot, 1-based.</summary>
    public int Number => Handle.Info.Number;

    public WorkerInfo Info => Handle.Info;

    /// <summary>The worker has run its <c>AfterSpawn</c> hook and takes items.</summary>
    public bool IsReady { get; set; }

    /// <summary>The master has told the worker to stop; it gets no more items.</summary>
    public bool StopSent { get; private set; }

    /// <summary>The worker announced it is recycling; it gets no more items and exits by itself.</summary>
    public RecycleReason? Retiring { get; set; }

    /// <summary>The pool shrank: it takes no more items and is stopped once it holds none.</summary>
    public bool Draining { get; set; }

    /// <summary>Why the master killed it, if it did.</summary>
    public KillReason? Killed { get; private set; }

    /// <summary>Items sent and not yet settled, oldest (in progress) first.</summary>
    public Queue<DispatchedItem> InFlight { get; } = new();

    /// <summary>When the oldest item in <see cref="InFlight"/> started, as a timestamp.</summary>
    public long HeadStartedAt { get; set; }

    /// <summary>When anything was last heard from the worker, as a timestamp.</summary>
    public long LastHeard { get; set; }

    /// <summary>When the last heartbeat was sent, as a timestamp.</summary>
    public long LastPing { get; private set; }

    /// <summary>The worker's prefetch window; sized by its channel, so there once it is connected (before it can be ready).</summary>
    public PrefetchWindow Window => _window ?? throw new InvalidOperationException($"{Info} is not connected yet");

    /// <summary>Items this worker settled (succeeded or failed).</summary>
    public long Completed { get; set; }

    /// <summary>What the worker said before dying on its own, if it said anything.</summary>
    public RemoteError? FatalReason { get; set; }

    public int SpareCapacity
    {
        get
        {
            if (!IsReady || StopSent || Draining || Retiring is not null || Killed is not null)
            {
                return 0;
            }

            long spare = Window.Current - InFlight.Count;
            if (_start.MaxItems > 0)
            {
                // No point sending items past the worker's recycling limit: they would come back.
                spare = Math.Min(spare, _start.MaxItems - Completed - InFlight.Count);
            }

            return (int)Math.Max(0, spare);
        }
    }

    /// <summary>Hands the worker an item; it goes out with the others sent in the same scheduler step, at <see cref="Flush"/>.</summary>
    public void Send(DispatchedItem item, long now)
    {
        if (InFlight.Count == 0)
        {
            HeadStartedAt = now;
        }

        InFlight.Enqueue(item);
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

    public void SendStop()
    {
        if (!StopSent)
        {
            StopSent = true;
            Post(StopMessage.Instance);
        }
    }

    public void SendPing(long now)
    {
        LastPing = now;
        Post(PingMessage.Instance);
    }

    /// <summary>Queues a control message behind any items sent before it; held until the channel connects.</summary>
    private void Post(Message message)
    {
        Flush();
        if (_channel is { } channel)
        {
            channel.Post(message);
            return;
        }

        lock (_connecting)
        {
            if (_channel is { } connected)
            {
                connected.Post(message);
            }
            else
            {
                (_early ??= []).Add(message);
            }
        }
    }

    /// <summary>Adopts the connected channel, and sends it what was posted before it connected.</summary>
    private void Attach(IWorkerChannel channel)
    {
        _window = new PrefetchWindow(_maxPrefetch, channel.PreferredWindowBytes);
        lock (_connecting)
        {
            foreach (Message message in _early ?? [])
            {
                channel.Post(message);
            }

            _early = null;
            _channel = channel;
        }
    }

    /// <summary>Kills the worker (a local one with its whole process tree), remembering why; the first reason sticks.</summary>
    public void Kill(KillReason reason)
    {
        Killed ??= reason;
        Handle.Kill(reason);
    }

    /// <summary>Runs the connection until the worker is gone; posts its messages and, last, <see cref="WorkerEnded"/>.</summary>
    public async Task SuperviseAsync(ChannelWriter<SchedulerEvent> events)
    {
        Post(_start);
        Task<WorkerEnd> ending = Handle.Ended;
        Task<IWorkerChannel> connecting = Handle.Connected;
        if (!connecting.IsCompleted)
        {
            await Task.WhenAny(connecting, ending).ConfigureAwait(false);
        }

        if (!connecting.IsCompletedSuccessfully)
        {
            // It ended before it connected: nothing was sent, nothing can be read.
            Exception? failure = connecting.IsFaulted ? connecting.Exception?.InnerException : null;
            events.TryWrite(new WorkerEnded(this, await ending.ConfigureAwait(false), failure));
            return;
        }

        IWorkerChannel channel = await connecting.ConfigureAwait(false);
        Attach(channel);
        Task reading = ReadLoopAsync(channel, events);
        Exception? channelError = null;

        if (await Task.WhenAny(reading, ending).ConfigureAwait(false) == reading)
        {
            // The worker closed its channel: it is exiting, or it broke the protocol and must go.
            if (reading.Exception?.InnerException is { } error)
            {
                channelError = error;
                Kill(KillReason.ProtocolError);
            }

            if (await Task.WhenAny(ending, Task.Delay(s_exitAfterClose)).ConfigureAwait(false) != ending)
            {
                Handle.Kill(KillReason.Unresponsive);
            }
        }
        else
        {
            // The worker is gone; read what it wrote before it went. A grandchild that kept the
            // pipe open cannot hold us here for long.
            await Task.WhenAny(reading, Task.Delay(s_drainAfterExit)).ConfigureAwait(false);
            channelError = reading.IsFaulted ? reading.Exception?.InnerException : null;
        }

        WorkerEnd end = await ending.ConfigureAwait(false);
        await channel.DisposeAsync().ConfigureAwait(false);
        events.TryWrite(new WorkerEnded(this, end, channelError));
    }

    private async Task ReadLoopAsync(IWorkerChannel channel, ChannelWriter<SchedulerEvent> events)
    {
        await Task.Yield();
        while (await channel.ReadBatchAsync(CancellationToken.None).ConfigureAwait(false) is { } batch)
        {
            for (int i = 0; i < batch.Count; i++)
            {
                if (batch[i] is ItemMessage or StartMessage or StopMessage or PingMessage)
                {
                    throw new ProtocolException("a worker sent a message only a master may send");
                }
            }

            events.TryWrite(new MessagesArrived(this, batch));
        }
    }
}
