namespace Divvy.Jobs;

/// <summary>An item's last word, untyped, on its way from the scheduler's loop to an <c>OnResultAsync</c> hook or a stream of results.</summary>
internal readonly record struct SettledItem(DispatchedItem Item, ItemStatus Status, object? Result, RemoteError? Error, WorkerInfo Worker, TimeSpan Duration, WorkerExit? Exit)
{
    /// <summary>The typed form the job's hooks and a stream's reader see.</summary>
    public ItemResult<TItem, TResult> As<TItem, TResult>() =>
        new((TItem)Item.Value!, Status, Result is null ? default : (TResult)Result, Error, Worker, Duration, Exit, Item.Attempts);
}
