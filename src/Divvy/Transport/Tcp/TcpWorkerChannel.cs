using Divvy.Jobs;
using Divvy.Protocol;

namespace Divvy.Transport.Tcp;

/// <summary>
/// A worker channel over one TCP connection: the stream channel's framing and batching, plus what a
/// socket cannot tell by itself, whether the worker left on its own. A worker that leaves says
/// Goodbye with its exit code before closing; a connection that ends without it was lost.
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
    private int? _goodbye;

    public TcpWorkerChannel(TcpConnection connection, int maxFrameSize)
    {
        Connection = connection;
        _inner = new StreamWorkerChannel(connection.Stream, connection.Stream, maxFrameSize, WindowBytes);
    }

    public TcpConnection Connection { get; }

    /// <summary>Completes when the worker's side has ended: its Goodbye exit code, or <c>null</c> when the connection was lost.</summary>
    public Task<int?> Closed => _closed.Task;

    public int PreferredWindowBytes => _inner.PreferredWindowBytes;

    public async ValueTask<IReadOnlyList<Message>?> ReadBatchAsync(CancellationToken cancellationToken)
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

        int goodbyes = 0;
        foreach (Message message in batch)
        {
            if (message is GoodbyeMessage goodbye)
            {
                _goodbye = goodbye.ExitCode;
                goodbyes++;
            }
        }

        // Goodbye belongs to this transport: the scheduler learns of it as the worker's end.
        return goodbyes == 0 ? batch : batch.Where(m => m is not GoodbyeMessage).ToArray() is { Length: > 0 } rest ? rest : await ReadBatchAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Post(Message message) => _inner.Post(message);

    public void PostItems(IReadOnlyList<DispatchedItem> items) => _inner.PostItems(items);

    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}
