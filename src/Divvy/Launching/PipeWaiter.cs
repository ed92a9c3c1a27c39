using System.Threading.Tasks.Sources;

namespace Divvy.Launching;

/// <summary>
/// One direction of one pipe waiting for <see cref="PipeReadiness"/>: a counter the poller bumps on
/// every readiness event, and at most one waiting reader or writer, completed on the thread pool.
/// A caller reads the counter, tries its non-blocking call and, when the pipe was not ready, waits
/// unless the counter moved in between (an event that arrived after the failed call).
/// </summary>
internal sealed class PipeWaiter : IValueTaskSource
{
    private readonly Lock _gate = new();
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private int _sequence;
    private bool _waiting;
    private bool _closed;
    private CancellationTokenRegistration _cancellation;

    /// <summary>Readiness events seen so far.</summary>
    public int Sequence => Volatile.Read(ref _sequence);

    /// <summary>Completes when the next readiness event after <paramref name="seen"/> arrives (at once if one already has).</summary>
    /// <exception cref="ObjectDisposedException">The pipe is closed.</exception>
    public ValueTask WaitAsync(int seen, CancellationToken cancellationToken)
    {
        short version;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (_sequence != seen)
            {
                return ValueTask.CompletedTask;
            }

            _core.Reset();
            version = _core.Version;
            _waiting = true;
        }

        if (cancellationToken.CanBeCanceled)
        {
            CancellationTokenRegistration registration = cancellationToken.UnsafeRegister(
                static (state, token) => ((PipeWaiter)state!).Complete(new OperationCanceledException(token)), this);
            bool keep;
            lock (_gate)
            {
                keep = _waiting;
                if (keep)
                {
                    _cancellation = registration;
                }
            }

            if (!keep)
            {
                registration.Unregister();
            }
        }

        return new ValueTask(this, version);
    }

    /// <summary>The poller saw the pipe ready (or hung up): wakes the waiter, if any.</summary>
    public void Signal()
    {
        lock (_gate)
        {
            _sequence++;
        }

        Complete(null);
    }

    /// <summary>The pipe is closed: a waiter sees <see cref="ObjectDisposedException"/>, and so does every later wait.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
        }

        Complete(new ObjectDisposedException(nameof(NonBlockingPipeStream)));
    }

    public void GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void Complete(Exception? error)
    {
        CancellationTokenRegistration registration;
        lock (_gate)
        {
            if (!_waiting)
            {
                return;
            }

            _waiting = false;
            registration = _cancellation;
            _cancellation = default;
        }

        registration.Unregister();
        if (error is null)
        {
            _core.SetResult(true);
        }
        else
        {
            _core.SetException(error);
        }
    }
}
