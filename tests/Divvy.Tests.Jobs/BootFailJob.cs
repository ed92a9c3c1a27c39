namespace Divvy.Tests.Jobs;

/// <summary>AfterSpawn always throws, so no worker ever completes an item. Args: count.</summary>
public sealed class BootFailJob : IParallelizable<int>
{
    private readonly int _count;

    public BootFailJob(string[] args)
    {
        _count = Scenarios.Int(args, 0, 5);
    }

    public IEnumerable<int> Dispatch() => Enumerable.Range(1, _count);

    public void AfterSpawn(WorkerInfo worker)
    {
        Console.Error.WriteLine($"boot-fail job: worker {worker.Number} cannot find its database");
        throw new InvalidOperationException("database unreachable");
    }

    public void Perform(int item)
    {
    }
}
