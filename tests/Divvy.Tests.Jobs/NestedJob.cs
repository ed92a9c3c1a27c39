namespace Divvy.Tests.Jobs;

/// <summary>Perform tries to start a Master inside the worker; that must be refused. Args: count.</summary>
public sealed class NestedJob : IParallelizable<int, int>
{
    private readonly int _count;

    public NestedJob(string[] args)
    {
        _count = Scenarios.Int(args, 0, 2);
    }

    public IEnumerable<int> Dispatch() => Enumerable.Range(1, _count);

    public int Perform(int item)
    {
        new Master(new EchoJob([]), 2).Run();
        return item;
    }

    public void OnResult(ItemResult<int, int> result)
    {
        Report.Result(result);
        Report.Line($"nested item={result.Item} error={result.Error?.Type} message={result.Error?.Message}");
    }
}
