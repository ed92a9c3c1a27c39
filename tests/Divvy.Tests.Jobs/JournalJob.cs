using MessagePack;

namespace Divvy.Tests.Jobs;

[MessagePackObject]
public sealed record Ticket([property: Key(0)] int Number, [property: Key(1)] string Nonce)
{
    public override string ToString() => Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Items 1..count, each a number with a nonce new in every run, sleeping `ms`; multiples of `fail`
/// throw (0: none do). With "keyed" the job keys items by number (ItemKey), so a later run knows
/// them although their bytes differ; with "hashed" it gives no key. Results are number x 10.
/// Args: count, ms, fail, keyed|hashed.
/// </summary>
public sealed class JournalJob(string[] args) : IParallelizable<Ticket, int>
{
    private readonly int _count = Scenarios.Int(args, 0, 10);
    private readonly int _milliseconds = Scenarios.Int(args, 1, 0);
    private readonly int _fail = Scenarios.Int(args, 2, 0);
    private readonly bool _keyed = args.Length > 3 && args[3] == "keyed";
    private readonly string _nonce = Guid.NewGuid().ToString("N");

    public IEnumerable<Ticket> Dispatch() => Enumerable.Range(1, _count).Select(n => new Ticket(n, _nonce));

    public int Perform(Ticket item)
    {
        if (_milliseconds > 0)
        {
            Thread.Sleep(_milliseconds);
        }

        return _fail > 0 && item.Number % _fail == 0 ? throw new InvalidOperationException($"ticket {item.Number} fails") : item.Number * 10;
    }

    public string? ItemKey(Ticket item) => _keyed ? $"ticket-{item.Number}" : null;

    public void OnResult(ItemResult<Ticket, int> result)
    {
        Report.Result(result);
        if (result.Error is { } error)
        {
            Report.Line($"error item={result.Item} message={error.Message.Replace(' ', '_')}");
        }
    }

    public void OnCompleted(RunSummary summary) =>
        Report.Line($"summary dispatched={summary.Dispatched} succeeded={summary.Succeeded} failed={summary.Failed} skipped={summary.Skipped} notperformed={summary.NotPerformed}");
}
