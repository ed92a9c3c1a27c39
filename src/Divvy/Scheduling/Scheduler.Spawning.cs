using Divvy.Launching;
using Divvy.Protocol;

namespace Divvy.Scheduling;

internal sealed partial class Scheduler
{
    private readonly Dictionary<int, string> _vacancies = [];
    private ITimer? _spawnTimer;

    /// <summary>Remembers why a slot emptied, so its next launch is counted under that reason.</summary>
    private void RecordVacancy(int slot, WorkerConnection worker, bool cleanExit)
    {
        string? reason = worker.Killed switch
        {
            KillReason.HardTimeout => "timeout",
            KillReason.Unresponsive => "unresponsive",
            KillReason.Shutdown => null,
            _ when worker.Retiring is not null && cleanExit => "recycle",
            _ when cleanExit => null,
            _ => "crash",
        };
        if (reason is not null)
        {
            _vacancies[slot] = reason;
        }
    }

    /// <summary>
    /// Launches workers lazily: only while items wait that the workers already running or booting
    /// cannot take. A run of one item starts one process.
    /// </summary>
    private void SpawnWhereNeeded()
    {
        while (_acceptingWork && _spawnTimer is null && ActiveWorkers < _target && FreeSlot() is >= 0 and var slot && PendingItems > CapacityIncludingBooting())
        {
            if (!_throttle.TryTake(out TimeSpan wait))
            {
                Log.SpawnThrottled(_log, wait.TotalMilliseconds);
                _spawnTimer = _time.CreateTimer(_ => _events.Writer.TryWrite(new TimerFired(TimerPurpose.Spawn)), null, wait, Timeout.InfiniteTimeSpan);
                return;
            }

            Spawn(slot + 1);
        }
    }

    /// <summary>The lowest empty slot within the target size; -1 when a departing worker still holds every one.</summary>
    private int FreeSlot()
    {
        for (int i = 0; i < Math.Min(_target, _slots.Count); i++)
        {
            if (_slots[i] is null)
            {
                return i;
            }
        }

        return -1;
    }

    private int CapacityIncludingBooting()
    {
        int capacity = 0;
        foreach (WorkerConnection? worker in _slots)
        {
            if (worker is { IsReady: false, StopSent: false })
            {
                capacity += 1;
            }
            else if (worker is not null)
            {
                capacity += worker.SpareCapacity;
            }
        }

        return capacity;
    }

    private void Spawn(int number)
    {
        CallHook(() => _job.BeforeSpawn(new WorkerInfo(number, null)));
        if (!_acceptingWork)
        {
            // BeforeSpawn threw: the run is stopping. (A failed Dispatch does not stop spawning:
            // the items it yielded before failing still need workers.)
            return;
        }

        IWorkerHandle handle;
        try
        {
            ValueTask<IWorkerHandle> launching = _launcher.LaunchAsync(number, CancellationToken.None);
            if (!launching.IsCompleted)
            {
                // The pool that would hold a slot while a launch is under way is issue 11's next
                // step; until then a launcher must finish its launch before returning.
                _ = ObserveAsync(launching);
                throw new WorkerSpawnException($"worker {number}: the launcher did not finish launching synchronously, which this scheduler does not support yet");
            }

            handle = launching.GetAwaiter().GetResult();
        }
        catch (WorkerSpawnException ex)
        {
            // Launching itself is broken (or refused): retrying will not help.
            Abort(ex);
            return;
        }

        _counts.WorkersSpawned++;
        string reason = _vacancies.Remove(number - 1, out string? why) ? why : "start";
        Metrics.Spawns.Add(1, new KeyValuePair<string, object?>("reason", reason));
        _statistics.SpawnReasons[reason] = _statistics.SpawnReasons.GetValueOrDefault(reason) + 1;
        var worker = new WorkerConnection(handle, _options.MaxPrefetch, StartFor(number), _time.GetTimestamp());
        _slots[number - 1] = worker;
        Log.WorkerSpawned(_log, worker.Info.ToString(), _counts.WorkersSpawned);
        _supervisors.Add(worker.SuperviseAsync(_events.Writer));
    }

    /// <summary>Disposes what an unsupported asynchronous launch brings, so no worker is left behind.</summary>
    private static async Task ObserveAsync(ValueTask<IWorkerHandle> launching)
    {
        try
        {
            IWorkerHandle handle = await launching.ConfigureAwait(false);
            handle.Kill(KillReason.Shutdown);
            await handle.DisposeAsync().ConfigureAwait(false);
        }
        catch (WorkerSpawnException)
        {
            // It failed anyway; the run is already aborting.
        }
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
            MaxAgeTicks: _options.MaxWorkerAge?.Ticks ?? 0);
    }
}
