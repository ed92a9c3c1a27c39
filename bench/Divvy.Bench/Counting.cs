using Divvy;

namespace Divvy.Bench;

/// <summary>Wraps a workload and counts the successful results that came back from workers.</summary>
public sealed class Counting<TItem, TResult>(IParallelizable<TItem, TResult> inner, Action count) : IParallelizable<TItem, TResult>
{
    public IEnumerable<TItem> Dispatch() => inner.Dispatch();

    public ValueTask<TResult> PerformAsync(TItem item, CancellationToken cancellationToken) => inner.PerformAsync(item, cancellationToken);

    public void AfterSpawn(WorkerInfo worker) => inner.AfterSpawn(worker);

    public void OnResult(ItemResult<TItem, TResult> result)
    {
        if (result.Succeeded)
        {
            count();
        }
    }
}
