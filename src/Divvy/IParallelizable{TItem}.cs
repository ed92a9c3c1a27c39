namespace Divvy;

/// <summary>
/// A job whose items produce no result: implement <see cref="Perform"/> or <see cref="PerformAsync"/>
/// returning nothing, and <c>Dispatch</c> or <c>DispatchAsync</c> as in
/// <see cref="IParallelizable{TItem, TResult}"/>.
/// </summary>
/// <typeparam name="TItem">The work item: a primitive, a string, an array or a <c>[MessagePackObject]</c> type.</typeparam>
public interface IParallelizable<TItem> : IParallelizable<TItem, NoResult>
{
    /// <summary>Runs in a worker process, for one item at a time.</summary>
    new void Perform(TItem item) =>
        throw JobDefinitionException.Missing(GetType(), "Perform(item) or PerformAsync(item, CancellationToken)");

    /// <summary>The asynchronous form of <see cref="Perform"/>. The token is cancelled when the worker must stop.</summary>
    new ValueTask PerformAsync(TItem item, CancellationToken cancellationToken)
    {
        Perform(item);
        return ValueTask.CompletedTask;
    }

    NoResult IParallelizable<TItem, NoResult>.Perform(TItem item)
    {
        Perform(item);
        return default;
    }

    async ValueTask<NoResult> IParallelizable<TItem, NoResult>.PerformAsync(TItem item, CancellationToken cancellationToken)
    {
        await PerformAsync(item, cancellationToken).ConfigureAwait(false);
        return default;
    }
}
