namespace Divvy;

/// <summary>
/// The non-generic face of every Divvy job, so that <see cref="Master"/> and the <c>divvy</c> tool
/// can hold a job without knowing its item type. Implement <see cref="IParallelizable{TItem}"/> or
/// <see cref="IParallelizable{TItem, TResult}"/>, never this interface alone.
/// </summary>
public interface IParallelizable
{
}
