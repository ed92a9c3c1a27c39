using Divvy.Launching;
using Microsoft.Extensions.Logging;

namespace Divvy.Scheduling;

internal sealed partial class Scheduler
{
    /// <summary>Launches workers where items wait that the workers running or booting cannot take (into every free slot, with <see cref="MasterOptions.KeepWorkersWarm"/>).</summary>
    private void SpawnWhereNeeded()
    {
        while (_run.IsAccepting && _pool.NextLaunch(_options.KeepWorkersWarm ? int.MaxValue : _ledger.Waiting) is { } number)
        {
            Spawn(number);
        }
    }

    private void Spawn(int number)
    {
        if (_job.Shape.PreparesSpawnsAsynchronously)
        {
            // BeforeSpawnAsync runs off the loop; the launch follows when it returns (Scheduler.AsyncHooks.cs).
            PrepareSpawn(number);
            return;
        }

        CallHook(() => _job.BeforeSpawn(new WorkerInfo(number, null)));
        if (!_run.IsAccepting)
        {
            // BeforeSpawn threw: the run is stopping. (A failed Dispatch does not stop spawning:
            // the items it yielded before failing still need workers.)
            return;
        }

        Launch(number);
    }

    private void Launch(int number)
    {
        ValueTask<IWorkerHandle> launching;
        try
        {
            // Cancelled once the run takes no more work: a launch still under way then is not wanted.
            launching = _launcher.LaunchAsync(number, _dispatchCancel.Token);
        }
        catch (Exception ex)
        {
            LaunchFailed(number, ex);
            return;
        }

        if (!launching.IsCompleted)
        {
            // The slot is held, and counts as a booting worker, until the launch ends.
            _pool.LaunchStarted(number);
            _ = FinishLaunchAsync(number, launching);
            return;
        }

        IWorkerHandle handle;
        try
        {
            handle = launching.GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            LaunchFailed(number, ex);
            return;
        }

        Launched(handle);
    }

    /// <summary>Waits for a launch that did not finish at once and hands its end to the loop.</summary>
    private async Task FinishLaunchAsync(int number, ValueTask<IWorkerHandle> launching)
    {
        try
        {
            _events.Writer.TryWrite(new LaunchEnded(number, await launching.ConfigureAwait(false), null));
        }
        catch (Exception ex)
        {
            // The loop decides what the failure means.
            _events.Writer.TryWrite(new LaunchEnded(number, null, ex));
        }
    }

    private void OnLaunchEnded(LaunchEnded ended)
    {
        _pool.LaunchFinished(ended.Slot);
        if (ended.Handle is not { } handle)
        {
            LaunchFailed(ended.Slot, ended.Error!);
            return;
        }

        WorkerConnection worker = Launched(handle);
        if (!_run.IsAccepting)
        {
            // The run stopped while the worker was on its way: it is not needed.
            Log.WorkerKilledQuietly(_log, worker.Name, "the run stopped while it was being launched");
            worker.Kill(KillReason.Shutdown);
        }
    }

    /// <summary>
    /// A launch failed. The launcher saying workers cannot be launched here (<see cref="WorkerSpawnException"/>)
    /// aborts the run; a launch cancelled because the run stopped is nothing; anything else counts
    /// as a worker that died at boot.
    /// </summary>
    private void LaunchFailed(int number, Exception error)
    {
        switch (error)
        {
            case WorkerSpawnException cannotLaunch:
                // Launching itself is broken (or refused): retrying will not help.
                Abort(cannotLaunch);
                return;
            case OperationCanceledException when _dispatchCancel.IsCancellationRequested:
                return;
        }

        var info = new WorkerInfo(number, null);
        var reason = RemoteError.From(error);
        LogLevel level = _pool.BootFailures.Count == 0 ? LogLevel.Warning : LogLevel.Debug;
        Log.WorkerDiedAtBoot(_log, level, info.ToString(), new WorkerEnd(WorkerEndKind.LaunchFailed, null, null).ToString(), $": {reason}");
        BootFailed(new WorkerFailure(info, new WorkerEnd(WorkerEndKind.LaunchFailed, null, null).ToExit(), reason, []));
    }

    /// <summary>One more worker in a row that never completed an item; too many abort the run.</summary>
    private void BootFailed(WorkerFailure failure)
    {
        if (_pool.BootFailed(failure) >= _options.MaxBootFailures)
        {
            Abort(new BootFailureException(_pool.BootFailures.ToArray(), _options.Vocabulary.Name(nameof(MasterOptions.MaxBootFailures))));
        }
    }

    /// <summary>A launched worker takes its slot; counted under the reason its slot emptied.</summary>
    private WorkerConnection Launched(IWorkerHandle handle)
    {
        WorkerConnection worker = _pool.Adopt(handle, out SpawnReason reason);
        RunCounters counts = _ledger.Counts;
        counts.WorkersSpawned++;
        string label = Words.Label(reason);
        Metrics.Spawned(label);
        _statistics.SpawnReasons[label] = _statistics.SpawnReasons.GetValueOrDefault(label) + 1;
        Log.WorkerSpawned(_log, worker.Name, counts.WorkersSpawned);
        return worker;
    }
}
