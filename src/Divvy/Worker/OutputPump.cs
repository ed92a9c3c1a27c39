using System.Diagnostics;
using System.Runtime.InteropServices;
using Divvy.Protocol;

namespace Divvy.Worker;

/// <summary>
/// Reads the pipes under a TCP worker's stdout and stderr (their read ends, non-blocking) on a
/// thread of its own and passes what it reads to a sink in batches: a batch goes when it is full
/// (<c>batchBytes</c>), when its oldest byte has waited <see cref="FlushInterval"/>, and whenever
/// the worker calls <see cref="Drain"/> (at each item's end, before the item's result).
/// </summary>
/// <remarks>
/// Bounded by blocking, never by dropping: the pump holds at most one batch per stream; while the
/// sink blocks (the master reads slowly) it reads nothing, the pipe fills, and whatever writes to
/// stdout or stderr waits, as it would on a terminal or a local worker's pipe. Nothing is lost.
/// When the sink fails (the master is gone) everything goes to the fallback (the worker's real
/// stdout and stderr) from then on; if that fails too, the rest is read and dropped, so that no
/// writer ever blocks for good.
/// </remarks>
internal sealed unsafe class OutputPump : IDisposable
{
    /// <summary>How long the first byte of a batch waits for more before the batch goes anyway.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(50);

    // With nothing pending the thread still wakes this often, to notice Dispose.
    private const int IdlePollMilliseconds = 250;

    // Most bytes one pass of the thread reads from a pipe before it lets a Drain in.
    private const int PassLimit = 256 * 1024;

    // Most bytes a Drain reads from a pipe: more than any pipe holds, so everything written before
    // the drain began is read even while a child process goes on writing.
    private const int DrainLimit = 2 * 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly int[] _fds;
    private readonly byte[][] _pending;
    private readonly int[] _count = new int[2];
    private readonly IOutputSink _fallback;
    private readonly Action? _sinkLost;
    private readonly TimeSpan _flushInterval;
    private IOutputSink _sink;
    private bool _onFallback;
    private bool _discarding;
    private long _oldest;
    private Thread? _thread;
    private volatile bool _stopped;

    /// <param name="stdoutRead">The read end of the pipe under stdout, non-blocking; the pump owns it.</param>
    /// <param name="stderrRead">The same for stderr.</param>
    /// <param name="sink">Where batches go.</param>
    /// <param name="fallback">Where they go once <paramref name="sink"/> has failed, or after <see cref="TrySwitchToFallback"/>.</param>
    /// <param name="batchBytes">The most one batch of one stream holds.</param>
    /// <param name="sinkLost">Told once, on the failing thread, when <paramref name="sink"/> failed and the fallback took over.</param>
    /// <param name="flushInterval">Tests only: <see cref="FlushInterval"/> by default.</param>
    public OutputPump(int stdoutRead, int stderrRead, IOutputSink sink, IOutputSink fallback, int batchBytes, Action? sinkLost = null, TimeSpan? flushInterval = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchBytes, 1);
        _fds = [stdoutRead, stderrRead];
        _pending = [new byte[batchBytes], new byte[batchBytes]];
        _sink = sink;
        _fallback = fallback;
        _sinkLost = sinkLost;
        _flushInterval = flushInterval ?? FlushInterval;
    }

    /// <summary>Starts the thread that reads the pipes and sends batches on time.</summary>
    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "divvy-output" };
        _thread.Start();
    }

    /// <summary>
    /// Reads everything written to the pipes so far and sends it, with what was pending, now. Called
    /// by the item loop before it writes an item's result: output then never trails its result.
    /// </summary>
    public void Drain()
    {
        lock (_gate)
        {
            DrainLocked();
        }
    }

    /// <summary>
    /// <see cref="Drain"/>, then <paramref name="lastWords"/> on stderr, unless another thread holds
    /// the pump longer than <paramref name="wait"/> (it may be the one dying): for a worker's last moments.
    /// </summary>
    public bool TryDrain(TimeSpan wait, ReadOnlySpan<byte> lastWords = default)
    {
        if (!_gate.TryEnter(wait))
        {
            return false;
        }

        try
        {
            DrainLocked();
            if (!lastWords.IsEmpty)
            {
                Pass(StandardStream.Error, lastWords);
                FlushSink();
            }

            return true;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>From now on everything goes to the fallback, what is pending included; <c>false</c> when the pump stayed busy for <paramref name="wait"/>.</summary>
    public bool TrySwitchToFallback(TimeSpan wait)
    {
        if (!_gate.TryEnter(wait))
        {
            return false;
        }

        try
        {
            if (!_onFallback)
            {
                _sink = _fallback;
                _onFallback = true;
                DrainLocked();
            }

            return true;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>Stops the thread and closes the read ends (tests; a worker process just exits).</summary>
    public void Dispose()
    {
        _stopped = true;
        if (_thread is { } thread && !thread.Join(TimeSpan.FromSeconds(5)))
        {
            // Still inside a sink call: closing the descriptors under it could hand their numbers to someone else.
            return;
        }

        lock (_gate)
        {
            for (int s = 0; s < _fds.Length; s++)
            {
                EndOf(s);
            }
        }
    }

    private void Run()
    {
        PollFd* polls = stackalloc PollFd[2];
        while (!_stopped)
        {
            int count;
            int timeout;
            lock (_gate)
            {
                count = Watched(polls);
                timeout = _oldest == 0 ? IdlePollMilliseconds : (int)Math.Ceiling(Math.Max(0, (_flushInterval - Stopwatch.GetElapsedTime(_oldest)).TotalMilliseconds));
            }

            if (count == 0)
            {
                // Every write end is closed: what is left goes now, and nothing more can come.
                Drain();
                return;
            }

            // Readable, hung up, or timed out: each is looked at below. (EINTR: the same.)
            _ = Posix.Poll(polls, (nuint)count, Math.Min(timeout, IdlePollMilliseconds));
            lock (_gate)
            {
                if (_stopped)
                {
                    return;
                }

                bool sent = ReadAvailable(PassLimit);
                if (_oldest != 0 && Stopwatch.GetElapsedTime(_oldest) >= _flushInterval)
                {
                    SendAll();
                    sent = true;
                }

                if (sent)
                {
                    FlushSink();
                }
            }
        }
    }

    private void DrainLocked()
    {
        if (_oldest == 0 && !AnyReadable())
        {
            // The common case at an item's end: nothing written, one system call to know it. That
            // call is the price of the ordering guarantee (a child process's output counts too):
            // measured, about 1.5 µs of worker CPU per item (150,000 trivial items over TCP: 1.0 s
            // of worker CPU before, 1.25 s with it).
            return;
        }

        bool sent = ReadAvailable(DrainLimit);
        if (_oldest != 0)
        {
            SendAll();
            sent = true;
        }

        if (sent)
        {
            FlushSink();
        }
    }

    private bool AnyReadable()
    {
        PollFd* polls = stackalloc PollFd[2];
        int count = Watched(polls);

        // Hung up or in error counts too: the read that follows finds out which.
        return count > 0 && Posix.PollNow(polls, (nuint)count) != 0;
    }

    /// <summary>Fills <paramref name="polls"/> with the pipes still open; returns how many.</summary>
    private int Watched(PollFd* polls)
    {
        int count = 0;
        for (int s = 0; s < _fds.Length; s++)
        {
            if (_fds[s] >= 0)
            {
                polls[count++] = new PollFd { Fd = _fds[s], Events = Posix.POLLIN };
            }
        }

        return count;
    }

    /// <summary>Reads what the pipes hold, up to <paramref name="limit"/> bytes each; full batches go on at once. True when any did.</summary>
    private bool ReadAvailable(int limit)
    {
        bool sent = false;
        for (int s = 0; s < _fds.Length; s++)
        {
            int read = 0;
            while (_fds[s] >= 0 && read < limit)
            {
                byte[] batch = _pending[s];
                if (_count[s] == batch.Length)
                {
                    Send(s);
                    sent = true;
                }

                nint n;
                fixed (byte* start = batch)
                {
                    n = Posix.Read(_fds[s], start + _count[s], batch.Length - _count[s]);
                }

                if (n > 0)
                {
                    if (_oldest == 0)
                    {
                        _oldest = Stopwatch.GetTimestamp();
                    }

                    _count[s] += (int)n;
                    read += (int)n;
                    continue;
                }

                int error = n < 0 ? Marshal.GetLastPInvokeError() : 0;
                if (error == Posix.EINTR)
                {
                    continue;
                }

                if (error != Posix.EAGAIN)
                {
                    // End of file (every write end closed) or a broken descriptor: nothing more comes from it.
                    EndOf(s);
                }

                break;
            }
        }

        return sent;
    }

    private void EndOf(int s)
    {
        if (_fds[s] >= 0)
        {
            _ = Posix.Close(_fds[s]);
            _fds[s] = -1;
        }
    }

    private void SendAll()
    {
        Send(0);
        Send(1);
    }

    private void Send(int s)
    {
        int count = _count[s];
        _count[s] = 0;
        if (_count[0] == 0 && _count[1] == 0)
        {
            _oldest = 0;
        }

        if (count > 0)
        {
            Pass(s == 0 ? StandardStream.Output : StandardStream.Error, _pending[s].AsSpan(0, count));
        }
    }

    private void Pass(StandardStream stream, ReadOnlySpan<byte> bytes)
    {
        while (!_discarding)
        {
            try
            {
                _sink.Write(stream, bytes);
                return;
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // The master is gone (or, on the fallback, the worker's own stream): the next way out.
                Fail();
            }
        }
    }

    private void FlushSink()
    {
        while (!_discarding)
        {
            try
            {
                _sink.Flush();
                return;
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                Fail();
            }
        }
    }

    private void Fail()
    {
        if (_onFallback)
        {
            // Nowhere left to write: keep reading, so no writer blocks on a full pipe, and drop.
            _discarding = true;
            return;
        }

        _sink = _fallback;
        _onFallback = true;
        _sinkLost?.Invoke();
    }
}
