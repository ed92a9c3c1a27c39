using Divvy.Launching;

namespace Divvy.Scheduling;

internal sealed partial class Scheduler
{
    private ITimer? _watchdog;

    /// <summary>
    /// One periodic timer serves both hard deadlines and heartbeats; its period is a fraction of
    /// the shortest interval it has to notice.
    /// </summary>
    private void StartWatchdog()
    {
        TimeSpan period = _options.HeartbeatInterval;
        if (_options.ItemTimeout is { } timeout)
        {
            TimeSpan grace = _options.ItemTimeoutGrace > TimeSpan.Zero ? _options.ItemTimeoutGrace : timeout;
            period = TimeSpan.FromTicks(Math.Min(period.Ticks, Math.Min(timeout.Ticks, grace.Ticks) / 4));
        }

        period = TimeSpan.FromTicks(Math.Clamp(period.Ticks, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromSeconds(1).Ticks));
        _watchdog = _time.CreateTimer(_ => _events.Writer.TryWrite(new TimerFired(TimerPurpose.Watchdog)), null, period, period);
    }

    private void CheckDeadlinesAndHeartbeats()
    {
        long now = _time.GetTimestamp();
        TimeSpan? hardDeadline = _options.ItemTimeout + _options.ItemTimeoutGrace;
        foreach (WorkerConnection? worker in _slots)
        {
            if (worker is null || worker.Killed is not null)
            {
                continue;
            }

            if (hardDeadline is { } limit && worker.InFlight.Count > 0 && _time.GetElapsedTime(worker.HeadStartedAt, now) > limit)
            {
                Log.WorkerKilled(_log, worker.Info.ToString(), $"item {worker.InFlight.Peek().Id} passed its hard deadline ({limit.TotalSeconds:F1} s)");
                worker.Kill(KillReason.HardTimeout);
                continue;
            }

            if (!worker.IsReady)
            {
                continue;
            }

            if (_time.GetElapsedTime(worker.LastHeard, now) > _options.HeartbeatTimeout)
            {
                Log.WorkerKilled(_log, worker.Info.ToString(), $"no answer for {_options.HeartbeatTimeout.TotalSeconds:F1} s (MasterOptions.HeartbeatTimeout)");
                worker.Kill(KillReason.Unresponsive);
            }
            else if (_time.GetElapsedTime(worker.LastPing, now) >= _options.HeartbeatInterval)
            {
                worker.SendPing(now);
            }
        }
    }

    private void StopTimers()
    {
        _watchdog?.Dispose();
        _retryTimer?.Dispose();
        _spawnTimer?.Dispose();
        _shutdownTimer?.Dispose();
    }
}
