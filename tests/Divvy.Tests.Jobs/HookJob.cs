namespace Divvy.Tests.Jobs;

/// <summary>Records every hook and Perform call, with the process it ran in, to a log file. Args: log path, count.</summary>
public sealed class HookJob : IParallelizable<int>
{
    private readonly string _log;
    private readonly int _count;

    public HookJob(string[] args)
    {
        _log = args[0];
        _count = Scenarios.Int(args, 1, 6);
    }

    public IEnumerable<int> Dispatch()
    {
        Record($"dispatch {Environment.ProcessId}");
        return Enumerable.Range(1, _count);
    }

    public void BeforeSpawn(WorkerInfo worker) => Record($"before {worker.Number} {Environment.ProcessId} {worker.ProcessId?.ToString() ?? "none"}");

    public void AfterSpawn(WorkerInfo worker) => Record($"after {worker.Number} {Environment.ProcessId} {worker.ProcessId}");

    public void Perform(int item)
    {
        Record($"perform {item} {Environment.ProcessId}");
        Thread.Sleep(20);
    }

    public void OnResult(ItemResult<int, NoResult> result) => Record($"result {result.Item} {Environment.ProcessId} {result.Worker.ProcessId}");

    // One file per process, lines stamped with the monotonic clock (shared by all processes on the
    // machine), so the spec can merge them in true order without processes racing on one file.
    private void Record(string line) =>
        File.AppendAllText($"{_log}.{Environment.ProcessId}", $"{System.Diagnostics.Stopwatch.GetTimestamp()} {line}\n");
}
