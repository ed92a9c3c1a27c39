namespace Divvy.Tests.Jobs;

/// <summary>Items 1..count; multiples of 3 throw. Args: count.</summary>
public sealed class ThrowJob : IParallelizable<int, string>
{
    private readonly int _count;

    public ThrowJob(string[] args)
    {
        _count = Scenarios.Int(args, 0, 9);
    }

    public IEnumerable<int> Dispatch() => Enumerable.Range(1, _count);

    public async ValueTask<string> PerformAsync(int item, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return item % 3 == 0 ? throw new InvalidOperationException($"item {item} is a multiple of three") : $"ok{item}";
    }

    public void OnResult(ItemResult<int, string> result)
    {
        Report.Result(result);
        if (result.Error is { } error)
        {
            Report.Line($"error item={result.Item} message={error.Message} hasStack={error.StackTrace.Contains("PerformAsync", StringComparison.Ordinal)}");
        }
    }
}
