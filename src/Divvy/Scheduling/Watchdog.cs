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

    /// <summary>
    /// A worker whose walltime (<see cref="IWorkerHandle.Walltime"/>) leaves less than the longest item
    /// so far plus a margin takes no more items: it finishes what it holds and is told to stop, and
    /// its slot is filled again, so no item is cut off by the engine. Nothing is judged before an
    /// item has finished.
    /// </summary>
    public void RetireBeforeWalltime(IEnumerable<WorkerConnection> workers, TimeSpan longestItem)
    {
        if (longestItem <= TimeSpan.Zero)
        {
            return;
        }

        long now = _time.GetTimestamp();
        TimeSpan needed = longestItem + WalltimeMargin;
        foreach (WorkerConnection worker in workers)
        {
            if (worker.Handle.Walltime is not { } walltime || worker.State != WorkerState.Ready)
            {
                continue;
            }

            TimeSpan left = walltime - _time.GetElapsedTime(worker.ReadyAt, now);
            if (left < needed)
            {
                Log.WorkerRetiresBeforeWalltime(_log, worker.Name, left.TotalSeconds, longestItem.TotalSeconds);
                worker.Drain();
            }
        }
    }

    /// <summary>
    /// Kept on top of the longest item: the worker's start before it was ready, Slurm's rounding,
    /// and the stop's round trip.
    /// </summary>
    internal static readonly TimeSpan WalltimeMargin = TimeSpan.FromSeconds(10);

    public void Dispose() => _timer?.Dispose();
}
