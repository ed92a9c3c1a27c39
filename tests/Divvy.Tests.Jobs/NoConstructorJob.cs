namespace Divvy.Tests.Jobs;

/// <summary>Only constructible with an int: the CLI must refuse it clearly.</summary>
public sealed class NoConstructorJob : IParallelizable<int>
{
    public NoConstructorJob(int seed)
    {
        _ = seed;
    }

    public IEnumerable<int> Dispatch() => [1];

    public void Perform(int item)
    {
    }
}
