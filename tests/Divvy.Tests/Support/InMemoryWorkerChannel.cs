using System.Threading.Channels;
using Divvy.Jobs;
using Divvy.Protocol;
using Divvy.Transport;

namespace Divvy.Tests.Support;

/// <summary>
/// A worker channel with no bytes under it: what the master posts lands in a queue the test reads
/// (<see cref="ReceiveAsync"/>), and what the test <see cref="Send"/>s is what the master reads,
/// one batch per call.
/// </summary>
internal sealed class InMemoryWorkerChannel : IWorkerChannel
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(30);

    private readonly Channel<IReadOnlyList<Message>> _toMaster = Channel.CreateUnbounded<IReadOnlyList<Message>>();
    private readonly Channel<Message> _toWorker = Channel.CreateUnbounded<Message>();

    public int PreferredWindowBytes => 1024 * 1024;

    /// <summary>Everything the master posted so far, in order, as the test has read it.</summary>
    public List<Message> Received { get; } = [];

    public async ValueTask<IReadOnlyList<Message>?> ReadBatchAsync(CancellationToken cancellationToken)
    {
        // Completing with an error (a "garbage" stream) throws it here, as a real channel does.
        return await _toMaster.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) && _toMaster.Reader.TryRead(out IReadOnlyList<Message>? batch) ? batch : null;
    }

    /// <summary>Called with every message the master posts, as it posts it (a scripted worker's reflexes).</summary>
    public Action<Message>? Posted { get; set; }

    public void Post(Message message)
    {
        if (_toWorker.Writer.TryWrite(message))
        {
            Posted?.Invoke(message);
        }
    }

    public void PostItems(IReadOnlyList<DispatchedItem> items)
    {
        foreach (DispatchedItem item in items)
        {
            _toWorker.Writer.TryWrite(new ItemMessage(item.Id, item.Payload));
        }
    }

    public ValueTask DisposeAsync()
    {
        _toWorker.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    /// <summary>The worker says these messages, as one batch.</summary>
    public void Send(params Message[] messages) => _toMaster.Writer.TryWrite(messages);

    /// <summary>The worker's side ends: the master reads the end of the stream, or <paramref name="error"/>.</summary>
    public void End(Exception? error = null) => _toMaster.Writer.TryComplete(error);

    /// <summary>The next message of type <typeparamref name="T"/> the master posted; heartbeats and anything else before it are skipped (and kept in <see cref="Received"/>).</summary>
    public async Task<T> ReceiveAsync<T>()
        where T : Message
    {
        while (true)
        {
            Message next = await _toWorker.Reader.ReadAsync().AsTask().WaitAsync(s_patience);
            Received.Add(next);
            if (next is T wanted)
            {
                return wanted;
            }
        }
    }

    /// <summary>Messages the master posted that the test has not read yet, read now without waiting.</summary>
    public List<Message> Drain()
    {
        var drained = new List<Message>();
        while (_toWorker.Reader.TryRead(out Message? next))
        {
            Received.Add(next);
            drained.Add(next);
        }

        return drained;
    }
}
