namespace Divvy.Tests.Jobs;

/// <summary>Yields `count` items, then throws. Args: count.</summary>
public sealed class DispatchThrowsJob : IParallelizable<int, int>
{
    private readonly int _count;

    public DispatchThrowsJob(string[] args)
    {
        _count = Scenarios.Int(args, 0, 4);
    }

    public async IAsyncEnumerable<int> DispatchAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (int i = 1; i <= _count; i++)
        {
            await Task.Yield();
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
