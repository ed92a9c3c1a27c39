using Divvy.Launching;

namespace Divvy.Scheduling;

internal sealed partial class Scheduler
{
    private bool _acceptingWork = true;
    private StopReason? _stopReason;
    private ITimer? _shutdownTimer;

    /// <summary>The run is over when no more work is taken and every worker is gone.</summary>
    private bool IsFinished => !_acceptingWork && LiveWorkers == 0;

    /// <summary>No new items; workers finish the item in hand and exit.</summary>
    private void BeginStop(StopReason reason)
    {
        _stopReason ??= reason;
        if (!_acceptingWork)
        {
            return;
        }

        _acceptingWork = false;
        _dispatchCancel.Cancel();
        foreach (WorkerConnection? worker in _slots)
        {
            worker?.SendStop();
        }

        if (LiveWorkers > 0)
        {
            _shutdownTimer = _time.CreateTimer(_ => _events.Writer.TryWrite(new TimerFired(TimerPurpose.ShutdownDeadline)), null, _options.ShutdownTimeout, Timeout.InfiniteTimeSpan);
        }
    }

    private void Stop(StopReason reason, bool force)
    {
        Log.StopRequested(_log, reason.ToString(), force);
        if (force)
        {
            _stopReason ??= reason;
            if (reason == StopReason.Terminated && _stopReason != StopReason.Halted)
            {
                _stopReason = reason;
            }

            _acceptingWork = false;
            _dispatchCancel.Cancel();
            KillAll("forced stop");
            return;
        }

        BeginStop(reason);
    }

    /// <summary>The job's end-of-run hook, after the last result; if it throws, the run throws that (unless something failed first).</summary>
    private void Complete(RunSummary summary) => CallHook(() => _job.OnCompleted(summary));

    /// <summary>User code in the master failed: stop gently, rethrow at the end.</summary>
    private void Fail(Exception error)
    {
        _fatal ??= error;
        BeginStop(StopReason.Interrupted);
    }

    /// <summary>The run cannot go on (workers cannot boot, cannot be launched): kill everything, rethrow at the end.</summary>
    private void Abort(Exception error)
    {
        _fatal ??= error;
        _stopReason ??= StopReason.Terminated;
        _acceptingWork = false;
        _dispatchCancel.Cancel();

        // The exception says why; a warning per killed worker would only repeat it.
        KillAll("run aborted", quietly: true);
    }

    private void KillAll(string why, bool quietly = false)
    {
        foreach (WorkerConnection? worker in _slots)
        {
            if (worker is not null)
            {
                if (quietly)
                {
                    Log.WorkerKilledQuietly(_log, worker.Info.ToString(), why);
                }
                else
                {
                    Log.WorkerKilled(_log, worker.Info.ToString(), why);
                }

                worker.Kill(KillReason.Shutdown);
            }
        }
    }
}
