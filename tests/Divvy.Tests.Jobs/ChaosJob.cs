namespace Divvy.Tests.Jobs;

/// <summary>Items 1..count of about a millisecond each, for runs whose workers get killed at random. Args: count.</summary>
public sealed class ChaosJob : IParallelizable<int, int>
{
    private readonly int _count;

    public ChaosJob(string[] args)
    {
        _count = Scenarios.Int(args, 0, 1000);
    }

    public IEnumerable<int> Dispatch() => Enumerable.Range(1, _count);

    public int Perform(int item)
    {
        Thread.Sleep(1);
        return item;
    }

    public void OnResult(ItemResult<int, int> result) =>
        Report.Line($"final item={result.Item} status={result.Status} attempts={result.Attempts}");
}
