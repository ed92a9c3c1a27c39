using System.Runtime.CompilerServices;
using Divvy.Framing;
using Divvy.Launching;
using Divvy.Protocol;
using Divvy.Worker;
using MessagePack;

namespace Divvy.Jobs;

/// <summary>Binds a typed job to the untyped scheduler: serialization on the way out, typed hooks on the way back.</summary>
internal sealed class JobAdapter<TItem, TResult> : IJob, IWorkerJob
{
    private static readonly PayloadWriter<TResult?> s_writeResult = Serialization.Serialize;

    private readonly IParallelizable<TItem, TResult> _job;
    private TResult? _result;

    public JobAdapter(IParallelizable<TItem, TResult> job, JobShape shape = default)
    {
        _job = job;
        Shape = shape;
    }

    public Type JobType => _job.GetType();

    public JobShape Shape { get; }

    public Type ItemType => typeof(TItem);

    public Type ResultType => typeof(TResult);

    public DispatchedItem Prepare(long id, object? item) => Dispatched(id, (TItem)item!);

    public void Prime()
    {
        Serialization.Prime<TItem>();
        Serialization.Prime<TResult>();
    }

    public object? DeserializeItem(ReadOnlyMemory<byte> payload) => Serialization.Deserialize<TItem>(payload);

    public byte[] WriteResult(object? result) => Serialization.SerializeItem(result is null ? default : (TResult)result);

    public void WriteResult(System.Buffers.IBufferWriter<byte> output, object? result)
    {
        var writer = new MessagePackWriter(output);
        s_writeResult(ref writer, result is null ? default : (TResult)result);
        writer.Flush();
    }

    public IEnumerable<DispatchedItem> Dispatch()
    {
        long id = 0;
        foreach (TItem item in _job.Dispatch())
        {
            yield return Dispatched(++id, item);
        }
    }

    public async IAsyncEnumerable<DispatchedItem> DispatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long id = 0;
        await foreach (TItem item in _job.DispatchAsync(cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return Dispatched(++id, item);
        }
    }

    public void BeforeSpawn(WorkerInfo worker) => _job.BeforeSpawn(worker);

    public string? ItemKey(object? value) => _job.ItemKey((TItem)value!);

    public ValueTask BeforeSpawnAsync(WorkerInfo worker, CancellationToken cancellationToken) => _job.BeforeSpawnAsync(worker, cancellationToken);

    public void Configure(MasterOptions options) => _job.Configure(options);

    public void OnCompleted(RunSummary summary) => _job.OnCompleted(summary);

    public bool TryReadResult(ReadOnlyMemory<byte> payload, out object? result, out RemoteError? error)
    {
        try
        {
            result = Serialization.Deserialize<TResult>(payload);
            error = null;
            return true;
        }
        catch (MessagePackSerializationException ex)
        {
            // The worker sent bytes this master cannot read as TResult: the item fails, the run goes on.
            result = null;
            error = new RemoteError(typeof(ItemSerializationException).FullName!, $"cannot deserialize the result as {typeof(TResult).FullName}: {ex.Message}", "");
            return false;
        }
    }

    public void ReportAttempt(DispatchedItem item, AttemptOutcome outcome, WorkerInfo worker, TimeSpan duration, RemoteError? error, TimeSpan? retryDelay) =>
        _job.OnAttempt(new ItemAttempt<TItem>((TItem)item.Value!, item.Attempts, outcome, worker, duration, error, retryDelay));

    public void ReportResult(DispatchedItem item, ItemStatus status, object? result, RemoteError? error, WorkerInfo worker, TimeSpan duration, WorkerExit? exit)
    {
        if (!Shape.ReportsResultsAsynchronously)
        {
            _job.OnResult(new ItemResult<TItem, TResult>((TItem)item.Value!, status, result is null ? default : (TResult)result, error, worker, duration, exit, item.Attempts));
        }
    }

    public ValueTask ReportResultAsync(SettledItem settled, CancellationToken cancellationToken) =>
        _job.OnResultAsync(settled.As<TItem, TResult>(), cancellationToken);

    public object? Replay(object? item, CancellationToken cancellationToken) => Divvy.Replay.Perform(_job, (TItem)item!, cancellationToken);

    public int RunWorker(WorkerEndpoint endpoint) => WorkerHost.RunInProcess(this, endpoint);

    public Task<int> RunWorkerAsync(WorkerLink link) => WorkerHost.RunOnLinkAsync(this, link);

    public ValueTask AfterSpawnAsync(WorkerInfo worker, CancellationToken cancellationToken) => _job.AfterSpawnAsync(worker, cancellationToken);

    public ValueTask PerformAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        ValueTask<TResult> performing = _job.PerformAsync(ReadItem(payload), cancellationToken);
        if (performing.IsCompletedSuccessfully)
        {
            // The common case for CPU-bound items: no state machine, no allocation.
            _result = performing.Result;
            return default;
        }

        return AwaitResultAsync(performing);
    }

    public void WriteResult(ResultBatchWriter results, long id, long elapsedTicks)
    {
        TResult? result = _result;
        _result = default;
        var writer = new MessagePackWriter(results.BeginResult(id, elapsedTicks));
        try
        {
            s_writeResult(ref writer, result);
            writer.Flush();
        }
        catch
        {
            results.AbortResult();
            throw;
        }

        results.EndResult();
    }

    public async ValueTask<Action<FrameWriter, long, long>> PerformConcurrentlyAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        TResult result = await _job.PerformAsync(ReadItem(payload), cancellationToken).ConfigureAwait(false);
        return (writer, id, elapsedTicks) => MessageCodec.WriteResult(writer, id, elapsedTicks, result, s_writeResult);
    }

    public bool ShouldRetry(Exception error) => _job.ShouldRetry(error);

    public byte[]? FailedResult(Exception error)
    {
        if (error is not AttemptFailedException { Result: TResult result })
        {
            return null;
        }

        try
        {
            return Serialization.SerializeItem(result);
        }
        catch (MessagePackSerializationException)
        {
            // A result that cannot travel is left behind: the attempt still fails, with its message.
            return null;
        }
    }

    private static TItem ReadItem(ReadOnlyMemory<byte> payload)
    {
        try
        {
            return Serialization.Deserialize<TItem>(payload);
        }
        catch (MessagePackSerializationException ex)
        {
            // An item this worker cannot read will not read better next time.
            throw new FailItemException($"cannot deserialize the item as {typeof(TItem).FullName}: {ex.Message}", ex);
        }
    }

    private async ValueTask AwaitResultAsync(ValueTask<TResult> performing) => _result = await performing.ConfigureAwait(false);

    private static DispatchedItem Dispatched(long id, TItem item) => Serialization.DispatchItem(id, item);
}
