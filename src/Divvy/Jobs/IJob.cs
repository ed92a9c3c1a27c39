using Divvy.Launching;

namespace Divvy.Jobs;

/// <summary>
/// A user's <see cref="IParallelizable{TItem, TResult}"/> with its type parameters hidden, so the
/// scheduler and the CLI need no generics. <see cref="JobAdapter{TItem, TResult}"/> is the only implementation.
/// </summary>
internal interface IJob
{
    /// <summary>The user's job type, for messages.</summary>
    Type JobType { get; }

    /// <summary>Which optional members the job supplies.</summary>
    JobShape Shape { get; }

    /// <summary>The job's <c>TItem</c>.</summary>
    Type ItemType { get; }

    /// <summary>The job's <c>TResult</c>.</summary>
    Type ResultType { get; }

    /// <summary>An item from elsewhere than <c>Dispatch</c> (a served request), serialized as a dispatched one is.</summary>
    /// <exception cref="InvalidCastException"><paramref name="item"/> is not a <see cref="ItemType"/>.</exception>
    DispatchedItem Prepare(long id, object? item);

    /// <summary>Resolves the item's and the result's formatters ahead of the first item (a warm server).</summary>
    void Prime();

    /// <summary>Reads an item's MessagePack bytes (from a served request) as a <see cref="ItemType"/>.</summary>
    /// <exception cref="MessagePack.MessagePackSerializationException">The bytes are not one.</exception>
    object? DeserializeItem(ReadOnlyMemory<byte> payload);

    /// <summary>A result's MessagePack bytes, as a worker writes them (for a served request that asked for MessagePack).</summary>
    byte[] WriteResult(object? result);

    /// <summary>A result's MessagePack bytes, written to <paramref name="output"/> (the run's journal).</summary>
    void WriteResult(System.Buffers.IBufferWriter<byte> output, object? result);

    /// <summary>Yields serialized items from the job's synchronous <c>Dispatch()</c>, when <see cref="JobShape.DispatchesSynchronously"/>.</summary>
    IEnumerable<DispatchedItem> Dispatch();

    /// <summary>Yields serialized items; serialization errors surface here, in the master.</summary>
    IAsyncEnumerable<DispatchedItem> DispatchAsync(CancellationToken cancellationToken);

    void BeforeSpawn(WorkerInfo worker);

    /// <summary>The job's <c>ItemKey</c> for a dispatched item's value: its key in the journal, or <c>null</c> to hash its bytes.</summary>
    string? ItemKey(object? value);

    /// <summary>The job's <c>BeforeSpawnAsync</c>, off the loop, when <see cref="JobShape.PreparesSpawnsAsynchronously"/>.</summary>
    ValueTask BeforeSpawnAsync(WorkerInfo worker, CancellationToken cancellationToken);

    /// <summary>The job's <c>Configure</c>: its defaults, on options the master is about to use.</summary>
    void Configure(MasterOptions options);

    /// <summary>The job's <c>OnCompleted</c>, once, after the last result.</summary>
    void OnCompleted(RunSummary summary);

    /// <summary>Reads a result payload as <c>TResult</c>; false (with the reason) when the bytes do not fit.</summary>
    bool TryReadResult(ReadOnlyMemory<byte> payload, out object? result, out RemoteError? error);

    void ReportAttempt(DispatchedItem item, AttemptOutcome outcome, WorkerInfo worker, TimeSpan duration, RemoteError? error, TimeSpan? retryDelay);

    /// <summary>On the loop, for every settled item: the job's <c>OnResult</c>, unless <see cref="JobShape.ReportsResultsAsynchronously"/>.</summary>
    void ReportResult(DispatchedItem item, ItemStatus status, object? result, RemoteError? error, WorkerInfo worker, TimeSpan duration, WorkerExit? exit);

    /// <summary>Performs an item (from <see cref="DeserializeItem"/>) here and now (<c>divvy replay</c>): <c>AfterSpawn</c>, then <c>Perform</c>, its exception not caught.</summary>
    object? Replay(object? item, CancellationToken cancellationToken);

    /// <summary>Off the loop, one at a time, in completion order, when <see cref="JobShape.ReportsResultsAsynchronously"/>: the job's <c>OnResultAsync</c>.</summary>
    ValueTask ReportResultAsync(SettledItem settled, CancellationToken cancellationToken);

    /// <summary>Runs the worker loop of this process, blocking the caller; the returned code is the process exit code.</summary>
    int RunWorker(WorkerEndpoint endpoint);

    /// <summary>Runs the worker loop of this process on a way to the master already open (<c>divvy worker</c>).</summary>
    Task<int> RunWorkerAsync(Worker.WorkerLink link);
}
