namespace Divvy.Scheduling;

internal sealed partial class Scheduler
{
    /// <summary>Maximum workers, the same bound as <see cref="MasterOptions.Workers"/>.</summary>
    internal const int MaxWorkers = 1024;

    private int _target;

    /// <summary>Workers alive and still taking items (not retiring, stopping or being killed).</summary>
    private int ActiveWorkers => _slots.Count(w => w is { StopSent: false, Draining: false, Retiring: null, Killed: null });

    /// <summary>
    /// Growing adds empty slots that fill as work needs them; shrinking retires idle workers first
    /// (they are told to stop) and lets busy ones finish what they hold before they go. Zero
    /// pauses dispatch: items wait until the pool grows again.
    /// </summary>
    private void OnResize(ResizeRequested request)
    {
        int target = Math.Clamp(request.Relative ? _target + request.Workers : request.Workers, 0, MaxWorkers);
        Log.Resized(_log, _target, target);
        Volatile.Write(ref _target, target);
        while (_slots.Count < target)
        {
            _slots.Add(null);
        }

        // Growing again before draining workers left: keep them rather than launch new ones.
        foreach (WorkerConnection? worker in _slots)
        {
            if (ActiveWorkers >= target)
            {
                break;
            }

            if (worker is { Draining: true, StopSent: false })
            {
                worker.Draining = false;
            }
        }

        RetireExtraWorkers();
    }

    private void RetireExtraWorkers()
    {
        int excess = ActiveWorkers - _target;
        if (excess <= 0)
        {
            return;
        }

        // Idle workers first, highest slot first; then busy ones, which finish their items.
        IEnumerable<WorkerConnection> candidates = _slots
            .Select((worker, index) => (worker, index))
            .Where(x => x.worker is { StopSent: false, Draining: false, Retiring: null, Killed: null })
            .OrderBy(x => x.worker!.InFlight.Count > 0)
            .ThenByDescending(x => x.index)
            .Select(x => x.worker!)
            .Take(excess)
            .ToList();
        foreach (WorkerConnection worker in candidates)
        {
            worker.Draining = true;
            if (worker.InFlight.Count == 0)
            {
                worker.SendStop();
            }
        }
    }

    /// <summary>A draining worker that has settled everything it held is told to stop.</summary>
    private void StopIfDrained(WorkerConnection worker)
    {
        if (worker.Draining && worker.InFlight.Count == 0)
        {
            worker.SendStop();
        }
    }
}
