using System.Threading.Channels;
using Divvy;

namespace Divvy.Bench.Stream;

/// <summary>Items 1..n, each squared: as little work as an item can be. With a sink, OnResult copies every result into it.</summary>
public sealed class TrivialJob(int items) : IParallelizable<int, int>
{
    /// <summary>Where OnResult puts each result, for the "unbounded" form: what a user would write without a stream.</summary>
    public ChannelWriter<ItemResult<int, int>>? Sink { get; set; }

    public IEnumerable<int> Dispatch() => Enumerable.Range(1, items);

    public int Perform(int item) => item * item;

    public void OnResult(ItemResult<int, int> result) => Sink?.TryWrite(result);
}
