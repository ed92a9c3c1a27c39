using Divvy.Protocol;
using Divvy.Transport;
using Divvy.Transport.Tcp;

namespace Divvy.Launching;

/// <summary>
/// A slot the scheduler asked for, filled when a worker dials in: <see cref="Connected"/> completes
/// then. It ended with the worker's exit code when the worker said Goodbye before closing, and as
/// <see cref="WorkerEndKind.ConnectionLost"/> for any other end of the connection, or a kill. What
/// the worker writes to its stdout and stderr comes over the connection and goes where a local
/// worker's would (<see cref="RemoteWorkerOutput"/>).
/// </summary>
internal sealed class TcpWorkerHandle : IWorkerHandle
{
    private readonly TaskCompletionSource<IWorkerChannel> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<WorkerEnd> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private readonly int _maxFrameSize;
    private readonly Action<TcpWorkerHandle, bool> _gone;
    private readonly RemoteWorkerOutput _output;
    private TcpWorkerChannel? _channel;

    /// <param name="slot">The slot, 1-based.</param>
    /// <param name="maxFrameSize">The run's frame limit.</param>
    /// <param name="gone">Told once when the handle ends, and whether it had connected.</param>
    /// <param name="stdoutSink">Where the worker's stdout goes in whole lines (<see cref="MasterOptions.WorkerStandardOutput"/>); <c>null</c>: the master's stdout.</param>
    /// <param name="stderrSink">Where each line of the worker's stderr goes; <c>null</c>: the master's stderr.</param>
    public TcpWorkerHandle(int slot, int maxFrameSize, Action<TcpWorkerHandle, bool> gone, Stream? stdoutSink = null, TextWriter? stderrSink = null)
    {
        Info = new WorkerInfo(slot, null);
        _maxFrameSize = maxFrameSize;
        _gone = gone;
        _output = new RemoteWorkerOutput(stdoutSink, stderrSink);
    }

    /// <summary>The slot; the process id and host once the worker said it is ready.</summary>
    public WorkerInfo Info { get; private set; }

    public void OnReady(ReadyMessage ready) => Info = new WorkerInfo(Info.Number, ready.ProcessId, ready.Host);

    public Task<IWorkerChannel> Connected => _connected.Task;

    public Task<WorkerEnd> Ended => _ended.Task;

    /// <summary>The last lines the worker wrote to its stderr, as they came over its connection (Output messages).</summary>
    public IReadOnlyList<string> DiagnosticTail => _output.Tail.Snapshot();

    /// <summary>Gives the slot this authenticated connection; <c>false</c> when the handle already ended.</summary>
    public bool TryAttach(TcpConnection connection)
    {
        lock (_gate)
        {
            if (_ended.Task.IsCompleted)
            {
                return false;
            }

            var channel = new TcpWorkerChannel(connection, _maxFrameSize, _output.Write);
            _channel = channel;
            _ = WatchAsync(channel);
            _connected.TrySetResult(channel);
            return true;
        }
    }

    /// <summary>No worker came in time: the launch failed with <paramref name="error"/>.</summary>
    public void FailToConnect(Exception error)
    {
        lock (_gate)
        {
            if (_channel is not null || !_connected.TrySetException(error))
            {
                return;
            }
        }

        End(new WorkerEnd(WorkerEndKind.LaunchFailed, null, null));
    }

    /// <summary>Cuts the connection at once (RST); a slot still waiting gives up waiting.</summary>
    public void Kill(KillReason reason)
    {
        TcpWorkerChannel? channel;
        lock (_gate)
        {
            channel = _channel;
            if (channel is null)
            {
                _connected.TrySetCanceled();
            }
        }

        channel?.Connection.Abort();
        End(new WorkerEnd(WorkerEndKind.ConnectionLost, null, null));
    }

    public ValueTask DisposeAsync()
    {
        Kill(KillReason.Shutdown);
        return ValueTask.CompletedTask;
    }

    private async Task WatchAsync(TcpWorkerChannel channel)
    {
        int? goodbye = await channel.Closed.ConfigureAwait(false);

        // Its output is all read too: a last line without a newline goes on, and the tail is complete before the end is known.
        _output.Complete();

        // Everything the worker sent is read: close our side too, so it sees the end and exits.
        channel.Connection.Dispose();
        End(goodbye is { } code ? new WorkerEnd(WorkerEndKind.Exited, code, null) : new WorkerEnd(WorkerEndKind.ConnectionLost, null, null));
    }

    private void End(WorkerEnd end)
    {
        if (_ended.TrySetResult(end))
        {
            _gone(this, _channel is not null);
        }
    }
}
