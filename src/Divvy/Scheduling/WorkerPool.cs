using System.Threading.Channels;
using Divvy.Launching;
using Divvy.Protocol;
using Microsoft.Extensions.Logging;

namespace Divvy.Scheduling;

/// <summary>
/// The workers: one slot per worker the run aims for, who sits in each, why an empty slot emptied,
/// when to launch (lazily, throttled), incarnation numbers, and growing and shrinking the pool.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    /// <summary>Maximum workers, the same bound as <see cref="MasterOptions.Workers"/>.</summary>
    internal const int MaxWorkers = 1024;

    private readonly MasterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly ChannelWriter<SchedulerEvent> _events;
    private readonly List<WorkerConnection?> _slots;
    private readonly Dictionary<int, SpawnReason> _vacancies = [];

    // Per slot (0-based): workers launched into it and why the latest was.
    private readonly Dictionary<int, (int Launches, SpawnReason Reason)> _launches = [];
    private readonly List<Task> _supervisors = [];
    private readonly List<WorkerFailure> _bootFailures = [];

    // Slots (0-based) held for a launch under way: taken, and counted as booting capacity.
    private readonly HashSet<int> _launching = [];
    private readonly SpawnThrottle _throttle;
    private ITimer? _throttleTimer;
    private int _target;
    private int _incarnations;

    public WorkerPool(MasterOptions options, ILogger log, ChannelWriter<SchedulerEvent> events)
    {
        _options = options;
        _time = options.TimeProvider;
        _log = log;
        _events = events;
        _slots = new List<WorkerConnection?>(new WorkerConnection?[options.Workers]);
        _target = options.Workers;
        _throttle = new SpawnThrottle(options.MaxSpawnsPerSecond, Math.Max(options.Workers, options.MaxSpawnsPerSecond), _time);
    }

    /// <summary>The number of workers the run aims for now. Safe to read from any thread.</summary>
    public int Target => Volatile.Read(ref _target);

    /// <summary>Workers alive (in any state), in slot order.</summary>
    public IEnumerable<WorkerConnection> Workers
    {
        get
        {
            foreach (WorkerConnection? worker in _slots)
            {
                if (worker is not null)
                {
                    yield return worker;
                }
            }
        }
    }

    /// <summary>
    /// Every slot with a worker in it or a launch under way, in slot order (1-based numbers), with
    /// the launches into it so far and why the latest was; a slot being launched into has no worker yet.
    /// </summary>
    public IEnumerable<(int Number, WorkerConnection? Worker, int Launches, SpawnReason? Reason)> Slots()
    {
        for (int slot = 0; slot < _slots.Count; slot++)
        {
            WorkerConnection? worker = _slots[slot];
            if (worker is not null || _launching.Contains(slot))
            {
                (int launches, SpawnReason reason) = _launches.GetValueOrDefault(slot);
                yield return (slot + 1, worker, launches, launches > 0 ? reason : null);
            }
        }
    }

    /// <summary>Workers alive, in any state, and launches under way: the run ends only when this is zero.</summary>
    public int Live => Count(static _ => true) + _launching.Count;

    /// <summary>Launches under way.</summary>
    public int Launching => _launching.Count;

    /// <summary>Workers that count toward the pool's size: booting (or being launched) or taking items.</summary>
    private int Active => Count(static w => w.IsActive) + _launching.Count;

    /// <summary>Items all workers hold.</summary>
    public int Holding
    {
        get
        {
            int holding = 0;
            foreach (WorkerConnection? worker in _slots)
            {
                holding += worker?.Holding ?? 0;
            }

            return holding;
        }
    }

    /// <summary>Workers launched so far; each launch gets the next number.</summary>
    public int Incarnations => _incarnations;

    /// <summary>
    /// The slot (1-based) to launch a worker into now, or <c>null</c>: launches are lazy, only while
    /// items wait that the workers running or booting cannot take, and throttled (a throttled
    /// launch arms a timer that posts <see cref="TimerPurpose.Spawn"/>).
    /// </summary>
    public int? NextLaunch(int waitingItems)
    {
        if (_throttleTimer is not null || Active >= _target || FreeSlot() is not (>= 0 and var slot) || waitingItems <= CapacityIncludingBooting())
        {
            return null;
        }

        if (!_throttle.TryTake(out TimeSpan wait))
        {
            Log.SpawnThrottled(_log, wait.TotalMilliseconds);
            _throttleTimer = _time.CreateTimer(_ => _events.TryWrite(new TimerFired(TimerPurpose.Spawn)), null, wait, Timeout.InfiniteTimeSpan);
            return null;
        }

        return slot + 1;
    }

    /// <summary>The throttle has a token again.</summary>
    public void ThrottleElapsed()
    {
        _throttleTimer?.Dispose();
        _throttleTimer = null;
    }

    /// <summary>A launch into <paramref name="number"/>'s slot is under way: the slot is held until it ends.</summary>
    public void LaunchStarted(int number) => _launching.Add(number - 1);

    /// <summary>The launch into <paramref name="number"/>'s slot has ended, one way or the other.</summary>
    public void LaunchFinished(int number) => _launching.Remove(number - 1);

    /// <summary>Seats a launched worker in its slot and starts supervising it; says why the slot was launched into.</summary>
    public WorkerConnection Adopt(IWorkerHandle handle, out SpawnReason reason)
    {
        int slot = handle.Info.Number - 1;
        reason = _vacancies.Remove(slot, out SpawnReason why) ? why : SpawnReason.Start;
        _launches[slot] = (_launches.GetValueOrDefault(slot).Launches + 1, reason);
        var worker = new WorkerConnection(handle, ++_incarnations, _options.MaxPrefetch, StartFor(handle.Info.Number), _time);
        _slots[slot] = worker;

        // Supervisors of workers long gone need not be kept: a long run recycles many.
        _supervisors.RemoveAll(t => t.IsCompleted);
        _supervisors.Add(worker.SuperviseAsync(_events));

        // The pool may have shrunk while the launch was under way.
        RetireExtraWorkers();
        return worker;
    }

    /// <summary>Empties the worker's slot, remembering why so the next launch there is counted under that reason.</summary>
    public void Remove(WorkerConnection worker, bool cleanExit, bool lost)
    {
        int slot = worker.Number - 1;
        if (ReferenceEquals(_slots[slot], worker))
        {
            _slots[slot] = null;
        }

        SpawnReason? reason = worker.KilledFor switch
        {
            KillReason.HardTimeout => SpawnReason.Timeout,
            KillReason.Unresponsive => SpawnReason.Unresponsive,
            KillReason.Shutdown => null,
            null when lost => SpawnReason.Lost,
            null when worker.State == WorkerState.Retiring && cleanExit => SpawnReason.Recycle,
            null when cleanExit => null,
            _ => SpawnReason.Crash,
        };
        if (reason is { } why)
        {
            _vacancies[slot] = why;
        }
    }

    /// <summary>
    /// Growing adds empty slots that fill as work needs them; shrinking retires idle workers first
    /// (they are told to stop) and lets busy ones finish what they hold before they go. Zero
    /// pauses dispatch: items wait until the pool grows again. Returns the target before.
    /// </summary>
    public int Resize(int workers, bool relative)
    {
        int before = _target;
        int target = Math.Clamp(relative ? _target + workers : workers, 0, MaxWorkers);
        Log.Resized(_log, before, target);
        Volatile.Write(ref _target, target);
        while (_slots.Count < target)
        {
            _slots.Add(null);
        }

        // Growing again before draining workers left: keep them rather than launch new ones.
        foreach (WorkerConnection? worker in _slots)
        {
            if (Active >= target)
            {
                break;
            }

            worker?.Undrain();
        }

        RetireExtraWorkers();
        return before;
    }

    /// <summary>Workers that died in a row before completing any item, oldest first.</summary>
    public IReadOnlyList<WorkerFailure> BootFailures => _bootFailures;

    /// <summary>A worker completed an item: workers do boot, the count of boot failures starts again.</summary>
    public void Booted() => _bootFailures.Clear();

    /// <summary>Counts one more worker that died before completing an item; returns how many in a row.</summary>
    public int BootFailed(WorkerFailure failure)
    {
        _bootFailures.Add(failure);
        return _bootFailures.Count;
    }

    /// <summary>Tells every worker to stop after what it holds.</summary>
    public void StopAll()
    {
        foreach (WorkerConnection worker in Workers)
        {
            worker.SendStop();
        }
    }

    /// <summary>Kills every worker (shutdown), saying why in the log.</summary>
    public void KillAll(string why, bool quietly = false)
    {
        foreach (WorkerConnection worker in Workers)
        {
            if (quietly)
            {
                Log.WorkerKilledQuietly(_log, worker.Name, why);
            }
            else
            {
                Log.WorkerKilled(_log, worker.Name, why);
            }

            worker.Kill(KillReason.Shutdown);
        }
    }

    /// <summary>Completes when every worker's supervision has ended.</summary>
    public Task WhenAllEnded() => Task.WhenAll(_supervisors);

    /// <summary>Live workers that match (a loop: the scheduler asks on every event, and the master loads no System.Linq).</summary>
    private int Count(Func<WorkerConnection, bool> match)
    {
        int count = 0;
        foreach (WorkerConnection? worker in _slots)
        {
            if (worker is not null && match(worker))
            {
                count++;
            }
        }

        return count;
    }

    private void RetireExtraWorkers()
    {
        int excess = Active - _target;
        if (excess <= 0)
        {
            return;
        }

        // Idle workers first, highest slot first; then busy ones, which finish their items.
        var candidates = new List<WorkerConnection>(excess);
        foreach (bool idle in (ReadOnlySpan<bool>)[true, false])
        {
            for (int i = _slots.Count - 1; i >= 0 && candidates.Count < excess; i--)
            {
                if (_slots[i] is { IsActive: true } worker && (worker.Holding == 0) == idle)
                {
                    candidates.Add(worker);
                }
            }
        }

        foreach (WorkerConnection worker in candidates)
        {
            worker.Drain();
        }
    }

    /// <summary>The lowest empty slot within the target size; -1 when a departing worker still holds every one.</summary>
    private int FreeSlot()
    {
        for (int i = 0; i < Math.Min(_target, _slots.Count); i++)
        {
            if (_slots[i] is null && !_launching.Contains(i))
            {
                return i;
            }
        }

        return -1;
    }

    private int CapacityIncludingBooting()
    {
        int capacity = _launching.Count;
        foreach (WorkerConnection worker in Workers)
        {
            capacity += worker.State == WorkerState.Booting ? 1 : worker.SpareCapacity;
        }

        return capacity;
    }

    /// <summary>The limits a new worker lives by; the item limit gets up to 10% jitter so workers do not recycle in step.</summary>
    private StartMessage StartFor(int number)
    {
        long maxItems = 0;
        if (_options.MaxItemsPerWorker is { } limit)
        {
            maxItems = limit + Random.Shared.NextInt64(0, (limit / 10) + 1);
        }

        return new StartMessage(
            WireProtocol.Version,
            number,
            _options.MaxFrameSize,
            ItemTimeoutTicks: _options.ItemTimeout?.Ticks ?? 0,
            MaxItems: maxItems,
            MaxMemoryBytes: _options.MaxWorkerMemory ?? 0,
            MaxAgeTicks: _options.MaxWorkerAge?.Ticks ?? 0,
            HeartbeatIntervalTicks: _options.HeartbeatInterval.Ticks,
            HeartbeatTimeoutTicks: _options.HeartbeatTimeout.Ticks,
            MaxConcurrentItems: _options.MaxConcurrentItemsPerWorker);
    }

    public void Dispose() => _throttleTimer?.Dispose();
}
