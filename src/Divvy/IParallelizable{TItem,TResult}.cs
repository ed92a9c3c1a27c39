namespace Divvy;

/// <summary>
/// A job whose items produce results. Implement <see cref="Dispatch"/> or <see cref="DispatchAsync"/>
/// (runs in the master) and <see cref="Perform"/> or <see cref="PerformAsync"/> (runs in workers);
/// the hooks are optional.
/// </summary>
/// <typeparam name="TItem">The work item: a primitive, a string, an array or a <c>[MessagePackObject]</c> type.</typeparam>
/// <typeparam name="TResult">What <c>Perform</c> returns; serialized the same way as items.</typeparam>
/// <remarks>
/// The master and the workers are separate processes running the same program, so the job object
/// in a worker is a different instance from the master's: state set in <see cref="Dispatch"/> is not
/// visible in <see cref="Perform"/>. Carry what a worker needs in the item.
/// </remarks>
public interface IParallelizable<TItem, TResult> : IParallelizable
{
    /// <summary>
    /// Runs in the master and yields the work items, lazily: the master pulls the next item only
    /// when a worker can take it, so an endless or huge sequence is fine.
    /// </summary>
    IEnumerable<TItem> Dispatch() =>
        throw JobDefinitionException.Missing(GetType(), "Dispatch() or DispatchAsync(CancellationToken)");

    /// <summary>
    /// The asynchronous form of <see cref="Dispatch"/>; implement this one instead when items come
    /// from I/O. The token is cancelled when the run stops early (Ctrl-C, a cancelled run).
    /// </summary>
    IAsyncEnumerable<TItem> DispatchAsync(CancellationToken cancellationToken) =>
        AsyncSequence.From(Dispatch(), cancellationToken);

    /// <summary>Runs in a worker process, for one item at a time, and returns its result.</summary>
    TResult Perform(TItem item) =>
        throw JobDefinitionException.Missing(GetType(), "Perform(item) or PerformAsync(item, CancellationToken)");

    /// <summary>The asynchronous form of <see cref="Perform"/>. The token is cancelled when the worker must stop.</summary>
    ValueTask<TResult> PerformAsync(TItem item, CancellationToken cancellationToken) => new(Perform(item));

    /// <summary>Runs in the master just before each worker process is launched, respawns included.</summary>
    void BeforeSpawn(WorkerInfo worker)
    {
    }

    /// <summary>
    /// The asynchronous form of <see cref="BeforeSpawn"/>, for a hook that waits on I/O: the master's
    /// loop goes on (heartbeats, results, other launches) while it runs, and the worker is launched
    /// when it returns. Implement one form; this one's default calls <see cref="BeforeSpawn"/>.
    /// If it throws, the run stops as for <see cref="BeforeSpawn"/> and rethrows it at the end.
    /// </summary>
    /// <param name="worker">The worker about to be launched (no process id yet).</param>
    /// <param name="cancellationToken">Cancelled when the run stops taking work (Ctrl-C, a cancelled run, a failure): the launch is no longer wanted.</param>
    ValueTask BeforeSpawnAsync(WorkerInfo worker, CancellationToken cancellationToken)
    {
        BeforeSpawn(worker);
        return ValueTask.CompletedTask;
    }

    /// <summary>Runs in the worker process once, before its first item.</summary>
    void AfterSpawn(WorkerInfo worker)
    {
    }

    /// <summary>
    /// The asynchronous form of <see cref="AfterSpawn"/>, for set-up that waits on I/O (opening a
    /// connection pool): runs in the worker process once, before its first item, and the worker
    /// takes items only when it has returned. Implement one form; this one's default calls
    /// <see cref="AfterSpawn"/>. If it throws, the worker ends, as for <see cref="AfterSpawn"/>.
    /// </summary>
    /// <param name="worker">This worker, with its process id.</param>
    /// <param name="cancellationToken">Not cancelled by Divvy today: a worker that must go while it boots is ended by its master. Pass it on to what you call, for when it is.</param>
    ValueTask AfterSpawnAsync(WorkerInfo worker, CancellationToken cancellationToken)
    {
        AfterSpawn(worker);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Runs in the worker when <c>Perform</c> threw: <c>true</c> (the default, except for
    /// <see cref="FailItemException"/>) makes the attempt worth retrying under
    /// <see cref="MasterOptions.MaxRetries"/>, <c>false</c> fails the item for good.
    /// </summary>
    bool ShouldRetry(Exception exception) => exception is not FailItemException;

    /// <summary>
    /// Runs in the master after every attempt, retries included: the outcome, the attempt number,
    /// the worker, the duration, the error and whether (and when) the item will be tried again.
    /// Called from one thread at a time.
    /// </summary>
    void OnAttempt(ItemAttempt<TItem> attempt)
    {
    }

    /// <summary>
    /// Runs in the master exactly once for every item <c>Dispatch</c> yielded, in completion order,
    /// after its last attempt: succeeded, failed, crashed, timed out, quarantined, or
    /// <see cref="ItemStatus.NotPerformed"/> when the run stopped first (Ctrl-C, cancellation,
    /// halting), so the number of calls equals <see cref="RunSummary.Dispatched"/>. Called from one
    /// thread at a time, never concurrently.
    /// </summary>
    void OnResult(ItemResult<TItem, TResult> result)
    {
    }

    /// <summary>
    /// The asynchronous form of <see cref="OnResult"/>, for a hook that waits on I/O (writing to a
    /// database): called as <see cref="OnResult"/> is, exactly once per dispatched item, in
    /// completion order and one call at a time, but off the master's loop, which goes on answering
    /// heartbeats and settling items while it runs. When calls fall behind (1,024 settled items
    /// waiting), the master hands out no new item until they catch up to half that: a slow hook
    /// slows dispatch, and memory stays bounded. Implement one form; this one's default calls
    /// <see cref="OnResult"/>, and when this one is implemented the master calls only it. All calls
    /// have returned before <see cref="OnCompleted"/> runs. If it throws, the run stops as for
    /// <see cref="OnResult"/> and rethrows the first such exception at the end; the other items
    /// still get their call.
    /// </summary>
    /// <param name="result">The settled item.</param>
    /// <param name="cancellationToken">Cancelled when the run is terminated (SIGTERM, a second Ctrl-C); a hook that then throws <see cref="OperationCanceledException"/> does not fail the run.</param>
    ValueTask OnResultAsync(ItemResult<TItem, TResult> result, CancellationToken cancellationToken)
    {
        OnResult(result);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Runs in the master before the run, to set the job's own defaults on <paramref name="options"/>:
    /// retries, timeouts, the halt policy and so on. <c>new Master(job, workers)</c> and
    /// <c>new Master(job)</c> call it on fresh options (then set the worker count given);
    /// <c>new Master(job, options)</c> takes the options passed as they are, so start those from
    /// <see cref="Master.OptionsFor"/> to keep the job's defaults. Front ends apply their own explicit
    /// settings after it: <c>divvy</c> flags given on the command line override it. Not called in workers.
    /// </summary>
    void Configure(MasterOptions options)
    {
    }

    /// <summary>
    /// Runs in the master once after the run ended, after the last <see cref="OnResult"/>, with the
    /// run's summary: to print or store an aggregate. It runs after a stop too (Ctrl-C, cancellation,
    /// halting), and before <c>Run</c> throws when the run failed (the summary then counts what was done).
    /// If it throws, <c>Run</c> throws that exception, as for the other hooks that run in the master.
    /// </summary>
    void OnCompleted(RunSummary summary)
    {
    }

    /// <summary>
    /// Runs in the master for each item when the run has a <see cref="MasterOptions.Journal"/>: the
    /// item's identity there, so a later run knows it settled. The same item must get the same key
    /// in every run, and different items different keys (a file name, a row id, a URL). The default,
    /// <c>null</c>, keys the item by a hash of its serialized bytes.
    /// </summary>
    string? ItemKey(TItem item) => null;
}
