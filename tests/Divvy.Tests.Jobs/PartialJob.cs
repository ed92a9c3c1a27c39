using System.Globalization;

namespace Divvy.Tests.Jobs;

/// <summary>
/// Each item fails its first `failures` attempts with an <see cref="AttemptFailedException"/> that
/// carries what the attempt produced ("partial ITEM.ATTEMPT"), then returns "done ITEM.ATTEMPT".
/// Attempts are counted with marker files so every worker agrees. Args: marker directory, count, failures.
/// </summary>
public sealed class PartialJob : IParallelizable<int, string>
{
    private readonly string _directory;
    private readonly int _count;
    private readonly int _failures;

    public PartialJob(string[] args)
    {
        _directory = args[0];
        _count = Scenarios.Int(args, 1, 3);
        _failures = Scenarios.Int(args, 2, 1);
    }

    public IEnumerable<int> Dispatch() => Enumerable.Range(1, _count);

    public string Perform(int item)
    {
        int attempt = Directory.GetFiles(_directory, $"{item}.*").Length + 1;
        File.WriteAllText(Path.Combine(_directory, $"{item}.{attempt}"), "");
        string tag = string.Create(CultureInfo.InvariantCulture, $"{item}.{attempt}");
        return attempt <= _failures ? throw new AttemptFailedException($"attempt {tag} failed", $"partial {tag}") : $"done {tag}";
    }

    public void OnResult(ItemResult<int, string> result) =>
        Report.Line($"final item={result.Item} status={result.Status} attempts={result.Attempts} value={result.Result?.Replace(' ', '_') ?? "-"} error={result.Error?.Message.Replace(' ', '_')}");
}
