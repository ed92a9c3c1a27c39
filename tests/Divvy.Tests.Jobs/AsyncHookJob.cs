namespace Divvy.Tests.Jobs;

/// <summary>
/// The hooks' async forms, each really waiting, recorded with the process they ran in to a log file
/// (one per process, as HookJob does). Items 1..count, Perform returns item * 2. Args: log path, count.
/// </summary>
public sealed class AsyncHookJob : IParallelizable<int, int>
{
    private readonly string _log;
    private readonly int _count;

    public AsyncHookJob(string[] args)
    {
        _log = args[0];
        _count = Scenarios.Int(args, 1, 6);
    }

    public IEnumerable<int> Dispatch() => Enumerable.Range(1, _count);

    public async ValueTask BeforeSpawnAsync(WorkerInfo worker, CancellationToken cancellationToken)
    {
        await Task.Delay(20, cancellationToken);
        Record($"before {worker.Number} {Environment.ProcessId}");
    }

    public async ValueTask AfterSpawnAsync(WorkerInfo worker, CancellationToken cancellationToken)
    {
        Record($"afterstart {worker.Number} {Environment.ProcessId}");
        await Task.Delay(200, cancellationToken);
        Record($"afterdone {worker.Number} {Environment.ProcessId}");
    }

    public int Perform(int item)
    {
        Record($"perform {item} {Environment.ProcessId}");
        return item * 2;
    }

    public async ValueTask OnResultAsync(ItemResult<int, int> result, CancellationToken cancellationToken)
    {
        await Task.Yield();
        Record($"result {result.Item} {Environment.ProcessId}");
        Report.Result(result);
    }

    private void Record(string line) =>
        File.AppendAllText($"{_log}.{Environment.ProcessId}", $"{System.Diagnostics.Stopwatch.GetTimestamp()} {line}\n");
}
