using MessagePack;

namespace Divvy.Tests.Jobs;

[MessagePackObject]
public sealed record Order([property: Key(0)] int Number, [property: Key(1)] string Customer, [property: Key(2)] decimal[] Lines);

[MessagePackObject]
public sealed record Invoice([property: Key(0)] int Order, [property: Key(1)] decimal Total, [property: Key(2)] int WorkerPid);

/// <summary>[MessagePackObject] items and results travel both ways. Args: count.</summary>
public sealed class OrderJob : IParallelizable<Order, Invoice>
{
    private readonly int _count;

    public OrderJob(string[] args)
    {
        _count = Scenarios.Int(args, 0, 5);
    }

    public IEnumerable<Order> Dispatch() =>
        Enumerable.Range(1, _count).Select(i => new Order(i, $"customer-{i}", [i, 0.5m, 10m]));

    public Invoice Perform(Order item) => new(item.Number, item.Lines.Sum(), Environment.ProcessId);

    public void OnResult(ItemResult<Order, Invoice> result) =>
        Report.Line($"invoice order={result.Result!.Order} customer={result.Item.Customer} total={result.Result.Total.ToString(System.Globalization.CultureInfo.InvariantCulture)} pid={result.Result.WorkerPid}");
}
