using Divvy.Jobs;
using Divvy.Protocol;

namespace Divvy.Transport.Tcp;

/// <summary>
/// A worker channel over one TCP connection: the stream channel's framing and batching, plus what a
/// socket cannot tell by itself, whether the worker left on its own. A worker that leaves says
/// Goodbye with its exit code before closing; a connection that ends without it was lost. What the
/// worker writes to its stdout and stderr arrives here too, as Output messages, handed aside.
/// </summary>
internal sealed class TcpWorkerChannel : IWorkerChannel
{
    /// <summary>
    /// Bytes worth keeping in flight: about what Linux's autotuned socket buffers hold on a fast
    /// link, the same order as a local worker's grown pipe.
    /// </summary>
    public const int WindowBytes = 1024 * 1024;

    private readonly StreamWorkerChannel _inner;
    private readonly TaskCompletionSource<int?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<OutputMessage>? _output;
    private int? _goodbye;

    /// <param name="connection">The authenticated connection.</param>
    /// <param name="maxFrameSize">The run's frame limit.</param>
    /// <param name="output">Gets what the worker wrote to its stdout and stderr, in order; <c>null</c>: dropped.</param>
    public TcpWorkerChannel(TcpConnection connection, int maxFrameSize, Action<OutputMessage>? output = null)
    {
        Connection = connection;
        _output = output;
        _inner = new StreamWorkerChannel(connection.Stream, connection.Stream, maxFrameSize, WindowBytes);
    }

    public TcpConnection Connection { get; }

    /// <summary>Completes when the worker's side has ended: its Goodbye exit code, or <c>null</c> when the connection was lost.</summary>
    public Task<int?> Closed => _closed.Task;

    public int PreferredWindowBytes => _inner.PreferredWindowBytes;

    public async ValueTask<IReadOnlyList<Message>?> ReadBatchAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            IReadOnlyList<Message>? batch;
            try
            {
                batch = await _inner.ReadBatchAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ProtocolException or FrameTooLargeException)
            {
                _closed.TrySetResult(null);
                throw;
            }

            if (batch is null)
            {
                _closed.TrySetResult(_goodbye);
                return null;
            }

            if (TakeTransportMessages(batch) is { Count: > 0 } rest)
            {
                return rest;
            }
        }
    }

    /// <summary>
    /// Handles what belongs to this transport and returns the rest, in order. Goodbye: the
    /// scheduler learns of it as the worker's end. Output: written out here, before the messages
    /// after it are handed on, so a result never overtakes the output written while computing it.
    /// </summary>
    private IReadOnlyList<Message> TakeTransportMessages(IReadOnlyList<Message> batch)
    {
        List<Message>? rest = null;
        for (int i = 0; i < batch.Count; i++)
        {
            switch (batch[i])
            {
                case GoodbyeMessage goodbye:
                    _goodbye = goodbye.ExitCode;
                    break;
                case OutputMessage output:
                    _output?.Invoke(output);
                    break;
                default:
                    rest?.Add(batch[i]);
                    continue;
            }

            if (rest is null)
            {
                rest = new List<Message>(batch.Count);
                for (int j = 0; j < i; j++)
                {
                    rest.Add(batch[j]);
                }
            }
        }

        return rest ?? batch;
    }

    public void Post(Message message) => _inner.Post(message);

    public void PostItems(IReadOnlyList<DispatchedItem> items) => _inner.PostItems(items);

    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}
