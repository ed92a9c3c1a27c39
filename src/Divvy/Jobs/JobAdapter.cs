using System.Runtime.CompilerServices;
using Divvy.Launching;
using Divvy.Worker;
using MessagePack;

namespace Divvy.Jobs;

/// <summary>Binds a typed job to the untyped scheduler: serialization on the way out, typed hooks on the way back.</summary>
internal sealed class JobAdapter<TItem, TResult> : IJob
{
    private readonly IParallelizable<TItem, TResult> _job;

    public JobAdapter(IParallelizable<TItem, TResult> job)
    {
        _job = job;
    }

    public Type JobType => _job.GetType();

    public async IAsyncEnumerable<DispatchedItem> DispatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long id = 0;
        await foreach (TItem item in _job.DispatchAsync(cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return new DispatchedItem(++id, item, Serialization.SerializeItem(item));
        }
    }

    public void BeforeSpawn(WorkerInfo worker) => _job.BeforeSpawn(worker);

    public bool TryReadResult(ReadOnlyMemory<byte> payload, out object? result, out RemoteError? error)
    {
        try
        {
            result = MessagePackSerializer.Deserialize<TResult>(payload, Serialization.Options);
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

    public void ReportResult(DispatchedItem item, ItemStatus status, object? result, RemoteError? error, WorkerInfo worker, TimeSpan duration, WorkerExit? exit) =>
        _job.OnResult(new ItemResult<TItem, TResult>((TItem)item.Value!, status, result is null ? default : (TResult)result, error, worker, duration, exit, item.Attempts));

    public Task<int> RunWorkerAsync(WorkerChannelInfo channel) => WorkerHost<TItem, TResult>.RunInProcessAsync(_job, channel);
}
