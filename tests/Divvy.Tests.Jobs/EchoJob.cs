namespace Divvy.Tests.Jobs;

/// <summary>Items 1..count; Perform returns item * 2. Args: count.</summary>
public sealed class EchoJob : IParallelizable<int, int>
{
    private readonly int _count;

    public EchoJob(string[] args)
    {
        _count = Scenarios.Int(args, 0, 10);
    }

    public IEnumerable<int> Dispatch() => Enumerable.Range(1, _count);

    public int Perform(int item) => item * 2;

    public void OnResult(ItemResult<int, int> result) => Report.Result(result);
}
