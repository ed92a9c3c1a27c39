using Divvy.Jobs;

namespace Divvy.Scheduling;

/// <summary>
/// Where settled items go besides <c>OnResult</c>: the job's <c>OnResultAsync</c> and a stream of
/// results, both read off the loop through a <see cref="ResultRelay"/>, which also tells the loop
/// when to stop handing out items until its reader catches up.
/// </summary>
internal sealed partial class Scheduler
{
    private readonly ResultRelay? _results;

    // OnResult (or OnResultAsync) failing once is reported; the same failure for every item still to settle is not.
    private bool _resultHookFailed;

    /// <summary>Too many settled items wait for their reader: no new item is handed out (the loop goes on).</summary>
    private bool ResultsBackedUp => _results?.PausesDispatch() == true;

    private ResultRelay? AttachResults(ResultRelay? relay)
    {
        relay?.Attach(
            roomAgain: () => _events.Writer.TryWrite(RoomForResults.Instance),
            hookFailed: error => _events.Writer.TryWrite(new ResultHookFailed(error)),
            stopRun: () => RequestStop(StopReason.Cancelled, force: false));
        return relay;
    }

    /// <summary>Tells the job an item settled (<c>OnResult</c> on the loop), and hands it to the relay's reader, if any.</summary>
    private void Deliver(DispatchedItem item, ItemStatus status, object? result, RemoteError? error, WorkerInfo worker, TimeSpan duration, WorkerExit? exit)
    {
        try
        {
            _job.ReportResult(item, status, result, error, worker, duration, exit);
        }
        catch (Exception ex) when (!_resultHookFailed)
        {
            // OnResult is user code: its failure stops the run, not the scheduler.
            _resultHookFailed = true;
            HookFailed(ex);
        }
        catch (Exception)
        {
            // The first failure is rethrown at the end; the same failure again for every item
            // still to settle (the stop reports them all) would only bury it in the log.
        }

        _results?.Add(new SettledItem(item, status, result, error, worker, duration, exit));
    }

    /// <summary>OnResultAsync threw: the run stops as for OnResult, once.</summary>
    private void OnResultHookFailed(Exception error)
    {
        if (!_resultHookFailed)
        {
            _resultHookFailed = true;
            HookFailed(error);
        }
    }

    /// <summary>After the last item settled: waits for OnResultAsync to have run for every item, so OnCompleted comes after the last.</summary>
    private async Task FinishResultsAsync()
    {
        if (_results is null)
        {
            return;
        }

        await _results.CompleteAsync().ConfigureAwait(false);
        if (_results.FirstFailure is { } failure)
        {
            // Thrown after the loop ended, or its event was left unread: reported here.
            OnResultHookFailed(failure);
        }
    }
}
