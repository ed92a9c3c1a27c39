using System.Diagnostics;
using Divvy.Framing;
using Divvy.Protocol;

namespace Divvy.Worker;

/// <summary>
/// What keeps the master's picture of this worker true while results travel several to a frame.
/// The in-order loop holds a result back while more items wait here (one write for many results),
/// and the master takes the oldest item it has no answer for as the one running. Two things bound
/// how wrong that can be:
/// <list type="bullet">
/// <item>A held result waits at most <see cref="ResultHoldLimit"/>: a thread of its own sends it
/// then, so an item that runs long is the one the master times out, and the dashboard shows it.</item>
/// <item>A process that exits through the runtime (<c>Environment.Exit</c>, a termination signal,
/// an unhandled exception on any thread) sends what it holds and says so (<see cref="FatalMessage"/>,
/// stage <c>exit</c>) before it goes: the master then knows the crash is the running item's. Only
/// a death the runtime never sees (SIGKILL, a stack overflow, a native fault) leaves the master
/// unsure, and the master tries what that worker held again one item at a time.</item>
/// </list>
/// </summary>
internal sealed partial class WorkerHost
{
    /// <summary>How long a finished item's result may wait for others to share its frame, unless a test says otherwise.</summary>
    internal static readonly TimeSpan DefaultResultHoldLimit = TimeSpan.FromMilliseconds(2);
    private static readonly TimeSpan s_exitReportWait = TimeSpan.FromSeconds(1);

    // When the oldest result not yet sent was written (a timestamp), 0 when none is held. Set by
    // the item loop under _heldGate, cleared under _writeLock by whoever sends.
    private long _heldSince;
    private readonly object _heldGate = new();
    private bool _holdWatchStarted;
    private volatile bool _holdWatchEnded;

    /// <summary>How long a finished item's result may wait for others to share its frame (<see cref="DefaultResultHoldLimit"/>).</summary>
    internal TimeSpan ResultHoldLimit { get; init; } = DefaultResultHoldLimit;

    // The item the in-order loop performs now, -1 between items.
    private long _performing = -1;

    /// <summary>The in-order loop has written a result it does not send yet: see that it goes within <see cref="ResultHoldLimit"/>.</summary>
    private void HoldResults()
    {
        if (Volatile.Read(ref _heldSince) != 0)
        {
            return;
        }

        lock (_heldGate)
        {
            Volatile.Write(ref _heldSince, Stopwatch.GetTimestamp());
            if (!_holdWatchStarted)
            {
                // Started the first time a result is held: a run whose results all go out at once never pays for the thread.
                _holdWatchStarted = true;
                StartThread("divvy-held-results", WatchHeldResults);
            }
            else
            {
                Monitor.Pulse(_heldGate);
            }
        }
    }

    /// <summary>Sends everything written so far, the open batch of results included.</summary>
    private void FlushLocked(FrameWriter writer)
    {
        lock (_writeLock)
        {
            _results?.Close();
            writer.Flush();
            Volatile.Write(ref _heldSince, 0);
        }
    }

    private void WatchHeldResults()
    {
        while (!_holdWatchEnded)
        {
            long since = Volatile.Read(ref _heldSince);
            if (since == 0)
            {
                lock (_heldGate)
                {
                    while (Volatile.Read(ref _heldSince) == 0 && !_holdWatchEnded)
                    {
                        Monitor.Wait(_heldGate);
                    }
                }

                continue;
            }

            TimeSpan wait = ResultHoldLimit - Stopwatch.GetElapsedTime(since);
            if (wait > TimeSpan.Zero)
            {
                Thread.Sleep(wait);
                continue;
            }

            lock (_writeLock)
            {
                if (Volatile.Read(ref _heldSince) != since)
                {
                    // Sent meanwhile, and perhaps held again since: look again.
                    continue;
                }

                try
                {
                    _results?.Close();
                    _writer?.Flush();
                    Volatile.Write(ref _heldSince, 0);
                }
                catch (IOException)
                {
                    // The master is gone: the reader thread ends the worker.
                    return;
                }
            }
        }
    }

    /// <summary>Ends the held-results thread, if it started: an in-process worker's host outlives its loop.</summary>
    private void StopWatchingHeldResults()
    {
        lock (_heldGate)
        {
            _holdWatchEnded = true;
            Monitor.PulseAll(_heldGate);
        }
    }

    /// <summary>
    /// The process is going (called from <c>AppDomain.ProcessExit</c> or <c>UnhandledException</c>):
    /// sends the results written so far and, when an item was in hand or an exception brought the
    /// process down, says so. Best effort: a master that is gone, or a write lock not given up within
    /// a second, leaves it unsaid.
    /// </summary>
    internal void ReportExit(Exception? unhandled)
    {
        if (_writer is not { } writer || _holdWatchEnded || !_writeLock.TryEnter(s_exitReportWait))
        {
            return;
        }

        try
        {
            long item = Volatile.Read(ref _performing);
            if (unhandled is not null)
            {
                Write(writer, new FatalMessage("exit", RemoteError.From(unhandled)));
            }
            else if (item >= 0)
            {
                Write(writer, new FatalMessage("exit", new RemoteError(
                    RemoteErrorKind.WorkerCrashed,
                    $"the worker process began to exit (Environment.Exit or a termination signal) while performing item {item}")));
            }

            _results?.Close();
            writer.Flush();
        }
        catch (Exception)
        {
            // Best effort only: the process is on its way out whatever happens here.
        }
        finally
        {
            _writeLock.Exit();
        }
    }
}
