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

    public void ReportSucceeded(DispatchedItem item, ReadOnlyMemory<byte> resultPayload, WorkerInfo worker, TimeSpan duration)
    {
        TResult result;
        try
        {
            result = MessagePackSerializer.Deserialize<TResult>(resultPayload, Serialization.Options);
        }
        catch (MessagePackSerializationException ex)
        {
            // The worker sent bytes this master cannot read as TResult: the item failed, the run goes on.
            ReportFailed(item, new RemoteError(typeof(ItemSerializationException).FullName!, $"cannot deserialize the result as {typeof(TResult).FullName}: {ex.Message}", ""), worker, duration);
            return;
        }

        _job.OnResult(new ItemResult<TItem, TResult>((TItem)item.Value!, ItemStatus.Succeeded, result, null, worker, duration, null));
    }

    public void ReportFailed(DispatchedItem item, RemoteError error, WorkerInfo worker, TimeSpan duration) =>
        _job.OnResult(new ItemResult<TItem, TResult>((TItem)item.Value!, ItemStatus.Failed, default, error, worker, duration, null));

    public void ReportCrashed(DispatchedItem item, WorkerInfo worker, WorkerExit exit) =>
        _job.OnResult(new ItemResult<TItem, TResult>(
            (TItem)item.Value!,
            ItemStatus.Crashed,
            default,
            new RemoteError("Divvy.WorkerCrashed", $"{worker} {exit} while performing item {item.Id}", ""),
            worker,
            TimeSpan.Zero,
            exit));

    public Task<int> RunWorkerAsync(WorkerChannelInfo channel) => WorkerHost<TItem, TResult>.RunInProcessAsync(_job, channel);
}
