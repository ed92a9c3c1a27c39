using System.Threading.Channels;
using Divvy.Framing;
using Divvy.Jobs;
using Divvy.Launching;
using Divvy.Protocol;

namespace Divvy.Scheduling;

/// <summary>
/// The master's side of one worker: an outbox drained by a writer task, a reader task that turns
/// frames into <see cref="SchedulerEvent"/>s, and the items the worker holds, oldest first.
/// The worker performs its items in order, so the oldest is always the one in progress.
/// </summary>
internal sealed class WorkerConnection
{
    private static readonly TimeSpan s_exitAfterClose = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_drainAfterExit = TimeSpan.FromSeconds(2);

    // Most messages handed to the scheduler as one event: bounds the latency of the first result
    // in a long burst, and the size of one scheduler step.
    private const int MaxMessagesPerEvent = 512;

    private readonly Channel<Outgoing> _outbox = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly StartMessage _start;
    private List<DispatchedItem>? _unsent;

    public WorkerConnection(WorkerProcess process, int maxPrefetch, StartMessage start, long now)
    {
        Process = process;
        Window = new PrefetchWindow(maxPrefetch);
        _start = start;
        LastHeard = now;
        LastPing = now;
    }

    public WorkerProcess Process { get; }

    public WorkerInfo Info => Process.Info;

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

    public PrefetchWindow Window { get; }

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
            _outbox.Writer.TryWrite(new Outgoing(null, items));
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

    /// <summary>Queues a control message behind any items sent before it.</summary>
    private void Post(Message message)
    {
        Flush();
        _outbox.Writer.TryWrite(new Outgoing(message, null));
    }

    /// <summary>Kills the worker's whole process tree, remembering why; the first reason sticks.</summary>
    public void Kill(KillReason reason)
    {
        Killed ??= reason;
        Process.Kill();
    }

    /// <summary>Runs the connection until the worker is gone; posts its messages and, last, <see cref="WorkerEnded"/>.</summary>
    public async Task SuperviseAsync(ChannelWriter<SchedulerEvent> events)
    {
        Post(_start);
        Task writing = WriteLoopAsync();
        Task reading = ReadLoopAsync(events);
        Task<WorkerExit> exiting = Process.WaitForExitAsync(CancellationToken.None);
        Exception? channelError = null;

        if (await Task.WhenAny(reading, exiting).ConfigureAwait(false) == reading)
        {
            // The worker closed its pipe: it is exiting, or it broke the protocol and must go.
            if (reading.Exception?.InnerException is { } error)
            {
                channelError = error;
                Kill(KillReason.ProtocolError);
            }

            if (await Task.WhenAny(exiting, Task.Delay(s_exitAfterClose)).ConfigureAwait(false) != exiting)
            {
                Process.Kill();
            }
        }
        else
        {
            // The process is gone; read what it wrote before it went. A grandchild that kept the
            // pipe open cannot hold us here for long.
            await Task.WhenAny(reading, Task.Delay(s_drainAfterExit)).ConfigureAwait(false);
            channelError = reading.IsFaulted ? reading.Exception?.InnerException : null;
        }

        WorkerExit exit = await exiting.ConfigureAwait(false);
        _outbox.Writer.TryComplete();
        await writing.ConfigureAwait(false);
        events.TryWrite(new WorkerEnded(this, exit, channelError));
    }

    private async Task ReadLoopAsync(ChannelWriter<SchedulerEvent> events)
    {
        await Task.Yield();
        var reader = new FrameReader(Process.Up, _start.MaxFrameSize);
        var batch = new List<Message>();
        try
        {
            while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false) is { } frame)
            {
                // A frame in the reader's buffer is overwritten by the next read: its result gets its own copy.
                batch.Add(MessageCodec.Read(frame, ownPayloads: reader.IsInBuffer(frame)) switch
                {
                    ItemMessage or StartMessage or StopMessage or PingMessage => throw new ProtocolException("a worker sent a message only a master may send"),
                    var other => other,
                });
                if (!reader.HasBufferedFrame || batch.Count >= MaxMessagesPerEvent)
                {
                    events.TryWrite(new MessagesArrived(this, batch));
                    batch = [];
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The pipe broke or was closed under us: same as its end.
        }
    }

    /// <summary>What the writer sends next: a control message, or a batch of items.</summary>
    private readonly record struct Outgoing(Message? Message, List<DispatchedItem>? Items);

    private async Task WriteLoopAsync()
    {
        var writer = new FrameWriter(Process.Down, _start.MaxFrameSize);
        try
        {
            while (await _outbox.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (_outbox.Reader.TryRead(out Outgoing next))
                {
                    if (next.Message is { } message)
                    {
                        MessageCodec.Write(writer.BeginFrame(), message);
                        writer.EndFrame();
                    }

                    foreach (DispatchedItem item in next.Items ?? [])
                    {
                        MessageCodec.WriteItem(writer.BeginFrame(), item.Id, item.Payload);
                        writer.EndFrame();
                        if (writer.Pending >= 256 * 1024)
                        {
                            await writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                        }
                    }
                }

                await writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The worker is gone; its items are accounted for when WorkerEnded arrives.
        }
    }
}
