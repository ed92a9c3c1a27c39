using MessagePack;

namespace Divvy;

/// <summary>The result type of jobs whose items return nothing (<see cref="IParallelizable{TItem}"/>).</summary>
[MessagePackObject]
public readonly struct NoResult
{
}
