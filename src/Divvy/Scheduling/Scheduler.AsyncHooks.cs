namespace Divvy.Scheduling;

/// <summary>
/// The job's <c>BeforeSpawnAsync</c>: the slot counts as launching while the hook runs off the
/// loop, and the launch itself happens on the loop when it has returned (launches stay one at a
/// time, so no worker inherits another's pipe ends).
/// </summary>
internal sealed partial class Scheduler
{
    private void PrepareSpawn(int number)
    {
        _pool.LaunchStarted(number);
        _ = PrepareSpawnAsync(number);
    }

    private async Task PrepareSpawnAsync(int number)
    {
        Exception? error = null;
        try
        {
            await _job.BeforeSpawnAsync(new WorkerInfo(number, null), _dispatchCancel.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The loop decides what the failure means.
            error = ex;
        }

        _events.Writer.TryWrite(new SpawnPrepared(number, error));
    }

    private void OnSpawnPrepared(SpawnPrepared prepared)
    {
        _pool.LaunchFinished(prepared.Slot);
        switch (prepared.Error)
        {
            case OperationCanceledException when _dispatchCancel.IsCancellationRequested:
                // The run stopped while the hook ran, and the hook gave up, as asked.
                return;
            case { } error:
                HookFailed(error);
                return;
        }

        if (_run.IsAccepting)
        {
            Launch(prepared.Slot);
        }
    }
}
