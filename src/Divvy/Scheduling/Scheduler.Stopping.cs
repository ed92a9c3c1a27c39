namespace Divvy.Scheduling;

internal sealed partial class Scheduler
{
    private ITimer? _shutdownTimer;

    /// <summary>No new items; workers finish the item in hand and exit.</summary>
    private void BeginStop(StopReason reason)
    {
        if (!_run.BeginStop(reason))
        {
            return;
        }

        _dispatchCancel.Cancel();
        _pool.StopAll();
        if (_pool.Live > 0)
        {
            _shutdownTimer = _time.CreateTimer(_ => _events.Writer.TryWrite(new TimerFired(TimerPurpose.ShutdownDeadline)), null, _options.ShutdownTimeout, Timeout.InfiniteTimeSpan);
        }
    }

    private void Stop(StopReason reason, bool force)
    {
        Log.StopRequested(_log, reason.ToString(), force);
        if (force)
        {
            _run.Force(reason);
            _dispatchCancel.Cancel();
            _results?.Terminate();
            _pool.KillAll("forced stop");
            return;
        }

        BeginStop(reason);
    }

    /// <summary>The job's end-of-run hook, after the last result; if it throws, the run throws that (unless something failed first).</summary>
    private void Complete(RunSummary summary) => CallHook(() => _job.OnCompleted(summary));

    /// <summary>User code in the master failed: stop gently, rethrow at the end.</summary>
    private void Fail(Exception error)
    {
        _run.Fail(error);
        BeginStop(StopReason.Interrupted);
    }

    /// <summary>The run cannot go on (workers cannot boot, cannot be launched): kill everything, rethrow at the end.</summary>
    private void Abort(Exception error)
    {
        _run.Abort(error);
        _dispatchCancel.Cancel();

        // The exception says why; a warning per killed worker would only repeat it.
        _pool.KillAll("run aborted", quietly: true);
    }

    private void StopTimers()
    {
        _watchdog.Dispose();
        _retryTimer.Dispose();
        _pool.Dispose();
        _shutdownTimer?.Dispose();
    }
}
