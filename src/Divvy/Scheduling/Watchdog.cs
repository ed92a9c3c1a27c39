using Divvy.Launching;
using Microsoft.Extensions.Logging;

namespace Divvy.Scheduling;

/// <summary>
/// Hard item deadlines and heartbeats. One periodic timer serves both; its period is a fraction of
/// the shortest interval it has to notice. It only posts a tick: the checks run in the scheduler's loop.
/// </summary>
internal sealed class Watchdog : IDisposable
{
    private readonly MasterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private ITimer? _timer;

    public Watchdog(MasterOptions options, ILogger log)
    {
        _options = options;
        _time = options.TimeProvider;
        _log = log;
    }

    /// <summary>The hard deadline of an item: its timeout plus the grace; <c>null</c> without a timeout.</summary>
    private TimeSpan? HardDeadline => _options.ItemTimeout + _options.ItemTimeoutGrace;

    public void Start(Action tick)
    {
        TimeSpan period = _options.HeartbeatInterval;
        if (_options.ItemTimeout is { } timeout)
        {
            TimeSpan grace = _options.ItemTimeoutGrace > TimeSpan.Zero ? _options.ItemTimeoutGrace : timeout;
            period = TimeSpan.FromTicks(Math.Min(period.Ticks, Math.Min(timeout.Ticks, grace.Ticks) / 4));
        }

        period = TimeSpan.FromTicks(Math.Clamp(period.Ticks, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromSeconds(1).Ticks));
        _timer = _time.CreateTimer(_ => tick(), null, period, period);
    }

    /// <summary>Kills workers whose item passed its hard deadline or who stopped answering; pings the others when due.</summary>
    public void Check(IEnumerable<WorkerConnection> workers)
    {
        long now = _time.GetTimestamp();
        TimeSpan? hardDeadline = HardDeadline;
        foreach (WorkerConnection worker in workers)
        {
            if (worker.State == WorkerState.Killed)
            {
                continue;
            }

            if (hardDeadline is { } limit && worker.Overdue(now, limit) is { } head)
            {
                Log.WorkerKilled(_log, worker.Name, $"item {head.Id} passed its hard deadline ({limit.TotalSeconds:F1} s)");
                worker.Kill(KillReason.HardTimeout);
                continue;
            }

            if (!worker.HasBeenReady)
            {
                continue;
            }

            if (_time.GetElapsedTime(worker.LastHeard, now) > _options.HeartbeatTimeout)
            {
                Log.WorkerKilled(_log, worker.Name, $"no answer for {_options.HeartbeatTimeout.TotalSeconds:F1} s (MasterOptions.HeartbeatTimeout)");
                worker.Kill(KillReason.Unresponsive);
            }
            else if (_time.GetElapsedTime(worker.LastPing, now) >= _options.HeartbeatInterval)
            {
                worker.SendPing(now);
            }
        }
    }

    public void Dispose() => _timer?.Dispose();
}
