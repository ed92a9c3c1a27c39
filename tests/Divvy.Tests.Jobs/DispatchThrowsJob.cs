namespace Divvy.Tests.Jobs;

/// <summary>Yields `count` items, then throws; with "sync", at once and without awaiting. Args: count, [sync].</summary>
public sealed class DispatchThrowsJob : IParallelizable<int, int>
{
    private readonly int _count;
    private readonly bool _sync;

    public DispatchThrowsJob(string[] args)
    {
        _count = Scenarios.Int(args, 0, 4);
        _sync = args.Contains("sync");
    }

    public async IAsyncEnumerable<int> DispatchAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (int i = 1; i <= _count; i++)
        {
            if (!_sync)
            {
                await Task.Yield();
            }

            yield return i;
        }

        throw new FormatException("the input file is corrupt at line 5");
    }

    public int Perform(int item)
    {
        Thread.Sleep(50);
        return item;
    }

    public void OnResult(ItemResult<int, int> result) => Report.Result(result);
}
