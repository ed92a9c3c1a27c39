using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Divvy.Worker;

namespace Divvy.Launching;

/// <summary>
/// The master's end of one pipe to or from a local worker, on Linux: non-blocking read(2) and
/// write(2), and when the pipe is empty (or full) a wait on <see cref="PipeReadiness"/>'s thread.
/// It replaces PipeStream's asynchronous reads and writes, which on Unix go through a socket.
/// </summary>
/// <remarks>One reader and one writer at a time, as with any stream. Does not own the handle: whoever made it closes it, after disposing this.</remarks>
internal sealed class NonBlockingPipeStream : Stream
{
    private readonly SafeHandle _handle;
    private readonly PipeWaiter _waiter = new();
    private readonly bool _reads;
    private readonly long _key;
    private int _disposed;

    /// <param name="handle">A pipe end; it is put in non-blocking mode (only the master uses it).</param>
    /// <param name="reads"><c>true</c> for a read end, <c>false</c> for a write end.</param>
    public NonBlockingPipeStream(SafeHandle handle, bool reads)
    {
        _handle = handle;
        _reads = reads;
        Epoll.SetNonBlocking(handle);
        _key = PipeReadiness.Watch(handle, reads ? _waiter : null, reads ? null : _waiter);
    }

    /// <summary>Whether this build can use it: Linux only (epoll).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    public override bool CanRead => _reads;

    public override bool CanWrite => !_reads;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        int seen = _waiter.Sequence;
        int read = TryRead(buffer.Span);
        return read >= 0 ? new ValueTask<int>(read) : ReadWhenReadyAsync(buffer, seen, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(Span<byte> buffer)
    {
        int read;
        while ((read = TryRead(buffer)) < 0)
        {
            Epoll.WaitFor(_handle, Posix.POLLIN);
        }

        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        int seen = _waiter.Sequence;
        int written = TryWrite(buffer.Span);
        return written == buffer.Length ? ValueTask.CompletedTask : WriteWhenReadyAsync(buffer[written..], seen, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int written = TryWrite(buffer);
            buffer = buffer[written..];
            if (!buffer.IsEmpty)
            {
                Epoll.WaitFor(_handle, Epoll.POLLOUT);
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            PipeReadiness.Unwatch(_handle, _key);
            _waiter.Close();
        }

        base.Dispose(disposing);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadWhenReadyAsync(Memory<byte> buffer, int seen, CancellationToken cancellationToken)
    {
        while (true)
        {
            await _waiter.WaitAsync(seen, cancellationToken).ConfigureAwait(false);
            seen = _waiter.Sequence;
            int read = TryRead(buffer.Span);
            if (read >= 0)
            {
                return read;
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteWhenReadyAsync(ReadOnlyMemory<byte> buffer, int seen, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            await _waiter.WaitAsync(seen, cancellationToken).ConfigureAwait(false);
            seen = _waiter.Sequence;
            buffer = buffer[TryWrite(buffer.Span)..];
        }
    }

    /// <summary>Bytes read (0 at the end of the pipe), or -1 when nothing is there yet.</summary>
    /// <exception cref="IOException">read(2) failed.</exception>
    private unsafe int TryRead(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        while (true)
        {
            nint read;
            fixed (byte* at = buffer)
            {
                read = Epoll.Read(_handle, at, buffer.Length);
            }

            if (read >= 0)
            {
                return (int)read;
            }

            int error = Marshal.GetLastPInvokeError();
            if (error == Posix.EAGAIN)
            {
                return -1;
            }

            if (error != Posix.EINTR)
            {
                throw new IOException($"reading a worker pipe failed: errno {error}");
            }
        }
    }

    /// <summary>Bytes written, 0 when the pipe is full.</summary>
    /// <exception cref="IOException">write(2) failed (EPIPE: the worker closed its end).</exception>
    private unsafe int TryWrite(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        int total = 0;
        while (total < buffer.Length)
        {
            nint written;
            fixed (byte* at = buffer[total..])
            {
                written = Epoll.Write(_handle, at, buffer.Length - total);
            }

            if (written >= 0)
            {
                total += (int)written;
                continue;
            }

            int error = Marshal.GetLastPInvokeError();
            if (error == Posix.EAGAIN)
            {
                break;
            }

            if (error != Posix.EINTR)
            {
                throw new IOException($"writing a worker pipe failed: errno {error}");
            }
        }

        return total;
    }
}
