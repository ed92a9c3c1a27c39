namespace Divvy.Tests.Jobs;

/// <summary>Items 1..count; Perform returns item * 2, after sleeping `ms` if given. Args: count, ms.</summary>
public sealed class EchoJob : IParallelizable<int, int>
{
    private readonly int _count;
    private readonly int _milliseconds;

    public EchoJob(string[] args)
    {
        _count = Scenarios.Int(args, 0, 10);
        _milliseconds = Scenarios.Int(args, 1, 0);
    }

    public IEnumerable<int> Dispatch() => Enumerable.Range(1, _count);

    public int Perform(int item)
    {
        if (_milliseconds > 0)
        {
            Thread.Sleep(_milliseconds);
        }

        return item * 2;
    }

    public void OnResult(ItemResult<int, int> result) => Report.Result(result);
}
