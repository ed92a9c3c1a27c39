namespace Divvy.Cli.Serve;

/// <summary>A job item sent in MessagePack: its bytes arrive as STDIN frames up to STDIN_EOF, at most <paramref name="limit"/> of them.</summary>
internal sealed class ServedItemInput(int limit) : IServedRequest
{
    private readonly MemoryStream _bytes = new();
    private readonly TaskCompletionSource<ReadOnlyMemory<byte>?> _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The item's bytes once STDIN_EOF came; <c>null</c> when they passed the limit.</summary>
    public Task<ReadOnlyMemory<byte>?> Complete => _complete.Task;

    public ValueTask OnInputAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (_bytes.Length + bytes.Length > limit)
        {
            _complete.TrySetResult(null);
        }
        else if (!_complete.Task.IsCompleted)
        {
            _bytes.Write(bytes.Span);
        }

        return ValueTask.CompletedTask;
    }

    public void OnInputEnd() => _complete.TrySetResult(_bytes.GetBuffer().AsMemory(0, (int)_bytes.Length));

    /// <summary>An item in flight is the scheduler's: a signal does not reach it.</summary>
    public void OnSignal(int signal)
    {
    }
}
