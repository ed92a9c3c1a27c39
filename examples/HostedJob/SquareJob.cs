using Divvy;

namespace HostedJob;

/// <summary>Squares numbers. A worker builds it without the host's services: what <c>Perform</c> needs travels in the item.</summary>
public sealed class SquareJob : IParallelizable<int, int>
{
    private readonly int _count;

    public SquareJob() : this(0) { }

    public SquareJob(int count) => _count = count;

    // Runs in the master.
    public IEnumerable<int> Dispatch() => Enumerable.Range(1, _count);

    // Runs in a worker.
    public int Perform(int item)
    {
        Console.WriteLine($"square {item} on pid {Environment.ProcessId}");
        return item * item;
    }
}
