using System.Threading.Channels;
using Divvy.Launching;
using Divvy.Protocol;
using Divvy.Transport;

namespace Divvy.Scheduling;

/// <summary>The connection's plumbing: waiting for the channel, posting to it, and reading it until the worker is gone.</summary>
internal sealed partial class WorkerConnection
{
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
        // A window below K would leave slots of the worker idle.
        _window = new PrefetchWindow(_maxPrefetch, channel.PreferredWindowBytes, _running.Length);
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
            // It ended (or failed) before it connected: nothing was sent, nothing can be read.
            Exception? failure = connecting.IsFaulted ? connecting.Exception?.InnerException : null;
            if (!ending.IsCompleted)
            {
                // A handle whose connection failed need not have ended by itself: make sure it does.
                Handle.Kill(KillReason.Shutdown);
            }

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
                // Not Kill: the connection's state is the scheduler loop's. The error reaches it with WorkerEnded.
                channelError = error;
                Handle.Kill(KillReason.ProtocolError);
            }

            if (await Task.WhenAny(ending, Task.Delay(s_exitAfterClose, _time)).ConfigureAwait(false) != ending)
            {
                Handle.Kill(KillReason.Unresponsive);
            }
        }
        else
        {
            // The worker is gone; read what it wrote before it went. A grandchild that kept the
            // pipe open cannot hold us here for long.
            await Task.WhenAny(reading, Task.Delay(s_drainAfterExit, _time)).ConfigureAwait(false);
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
