using System.Runtime.CompilerServices;

namespace Divvy;

/// <summary>Adapts a synchronous <c>Dispatch</c> to the asynchronous pipeline.</summary>
internal static class AsyncSequence
{
    public static async IAsyncEnumerable<T> From<T>(IEnumerable<T> source, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (T item in source)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
