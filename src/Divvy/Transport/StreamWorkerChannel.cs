using System.Threading.Channels;
using Divvy.Framing;
using Divvy.Jobs;
using Divvy.Protocol;

namespace Divvy.Transport;

/// <summary>
/// A worker channel over a pair of streams, one each way (a local worker's two anonymous pipes, or
/// any other pair): an outbox drained by one writer task that batches frames into few writes, and a
/// reader that hands on everything that arrived together as one batch.
/// </summary>
/// <remarks>The streams stay open: whoever made them (the worker's handle) disposes them.</remarks>
internal sealed class StreamWorkerChannel : IWorkerChannel
{
    // Most messages handed on as one batch: bounds the latency of the first result in a long
    // burst, and the size of one scheduler step.
    private const int MaxMessagesPerBatch = 512;

    // Frames are flushed in writes of about this much, so a big batch starts moving before it is all encoded.
    private const int FlushEveryBytes = 256 * 1024;

    private readonly Channel<Outgoing> _outbox = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly FrameReader _reader;
    private readonly FrameWriter _writer;
    private readonly int _maxFrameSize;
    private readonly Task _writing;
    private bool _ended;

    /// <param name="read">Worker to master.</param>
    /// <param name="write">Master to worker.</param>
    /// <param name="maxFrameSize">The run's frame limit, checked both ways.</param>
    /// <param name="preferredWindowBytes">What the link buffers; see <see cref="IWorkerChannel.PreferredWindowBytes"/>.</param>
    public StreamWorkerChannel(Stream read, Stream write, int maxFrameSize, int preferredWindowBytes)
    {
        _reader = new FrameReader(read, maxFrameSize, rentsLargeFrames: true);
        _writer = new FrameWriter(write, maxFrameSize);
        _maxFrameSize = maxFrameSize;
        PreferredWindowBytes = preferredWindowBytes;
        _writing = WriteLoopAsync();
    }

    public int PreferredWindowBytes { get; }

    public async ValueTask<IReadOnlyList<Message>?> ReadBatchAsync(CancellationToken cancellationToken)
    {
        if (_ended)
        {
            return null;
        }

        List<Message>? batch = null;
        try
        {
            while (await _reader.ReadAsync(cancellationToken).ConfigureAwait(false) is { } frame)
            {
                // Items and results keep their frame's pooled array until they are read (see FrameDecoding).
                (batch ??= []).Add(FrameDecoding.Decode(_reader, frame));
                if (!_reader.HasBufferedFrame || batch.Count >= MaxMessagesPerBatch)
                {
                    return batch;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The stream broke or was closed under us: same as its end.
        }

        _ended = true;
        return batch;
    }

    public void Post(Message message) => _outbox.Writer.TryWrite(new Outgoing(message, null));

    public void PostItems(IReadOnlyList<DispatchedItem> items) => _outbox.Writer.TryWrite(new Outgoing(null, items));

    /// <summary>Sends what is already posted (as far as the worker still reads), then stops writing.</summary>
    public async ValueTask DisposeAsync()
    {
        _outbox.Writer.TryComplete();
        await _writing.ConfigureAwait(false);
    }

    /// <summary>
    /// How many items from <paramref name="start"/> fit in one Items frame: about
    /// <see cref="MessageCodec.PreferredBatchBytes"/> of payload and never over the frame limit, at
    /// least one (the scheduler sends no item too big for a frame of its own).
    /// </summary>
    private int ItemsInFrame(IReadOnlyList<DispatchedItem> items, int start)
    {
        long budget = Math.Min(MessageCodec.PreferredBatchBytes, _maxFrameSize) - MessageCodec.BatchOverhead;
        long bytes = MessageCodec.EntrySize(items[start]);
        int end = start + 1;
        while (end < items.Count && bytes + MessageCodec.EntrySize(items[end]) <= budget)
        {
            bytes += MessageCodec.EntrySize(items[end]);
            end++;
        }

        return end - start;
    }

    /// <summary>What the writer sends next: a control message, or a batch of items.</summary>
    private readonly record struct Outgoing(Message? Message, IReadOnlyList<DispatchedItem>? Items);

    private async Task WriteLoopAsync()
    {
        try
        {
            while (await _outbox.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (_outbox.Reader.TryRead(out Outgoing next))
                {
                    if (next.Message is { } message)
                    {
                        MessageCodec.Write(_writer.BeginFrame(), message);
                        _writer.EndFrame();
                    }

                    if (next.Items is { } items)
                    {
                        // Items go out several per frame, in frames of about PreferredBatchBytes (and
                        // within the frame limit), flushed every FlushEveryBytes, so a big batch starts
                        // moving before it is all encoded.
                        for (int start = 0; start < items.Count;)
                        {
                            int count = ItemsInFrame(items, start);
                            MessageCodec.WriteItems(_writer.BeginFrame(), items, start, count);
                            _writer.EndFrame();
                            start += count;
                            if (_writer.Pending >= FlushEveryBytes)
                            {
                                await _writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                            }
                        }
                    }
                }

                await _writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The worker is gone; its items are accounted for when it is seen to have ended.
        }
    }
}
