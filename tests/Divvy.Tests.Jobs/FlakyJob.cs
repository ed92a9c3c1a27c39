namespace Divvy.Tests.Jobs;

/// <summary>
/// Each item fails its first `failures` attempts (an IOException, worth retrying), counted with
/// marker files so every worker agrees; multiples of 5 throw FailItemException (never retried).
/// Args: marker directory, count, failures.
/// </summary>
public sealed class FlakyJob : IParallelizable<int, int>
{
    private readonly string _directory;
    private readonly int _count;
    private readonly int _failures;

    public FlakyJob(string[] args)
    {
        _directory = args[0];
        _count = Scenarios.Int(args, 1, 6);
        _failures = Scenarios.Int(args, 2, 1);
    }

    public IEnumerable<int> Dispatch() => Enumerable.Range(1, _count);

    public int Perform(int item)
    {
        int attempt = Directory.GetFiles(_directory, $"{item}.*").Length + 1;
        File.WriteAllText(Path.Combine(_directory, $"{item}.{attempt}"), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (item % 5 == 0)
        {
            throw new FailItemException($"item {item} is malformed");
        }

        return attempt <= _failures ? throw new IOException($"item {item} attempt {attempt}: flaky") : item;
    }

    public void OnAttempt(ItemAttempt<int> attempt) =>
        Report.Line($"attempt item={attempt.Item} n={attempt.Attempt} outcome={attempt.Outcome} delay={(attempt.RetryDelay is { } d ? ((int)d.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")} error={attempt.Error?.Type}");

    public void OnResult(ItemResult<int, int> result) =>
        Report.Line($"final item={result.Item} status={result.Status} attempts={result.Attempts}");
}
