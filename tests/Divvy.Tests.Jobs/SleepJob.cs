namespace Divvy.Tests.Jobs;

/// <summary>
/// Items 1..count, each sleeping `ms` (ignoring cancellation, like real blocking work). Prints
/// "started" and "finished" lines so specs can act while items are in flight. Args: count, ms.
/// </summary>
public sealed class SleepJob : IParallelizable<int, int>
{
    private readonly int _count;
    private readonly int _milliseconds;

    public SleepJob(string[] args)
    {
        _count = Scenarios.Int(args, 0, 10);
        _milliseconds = Scenarios.Int(args, 1, 200);
    }

    public IEnumerable<int> Dispatch() => Enumerable.Range(1, _count);

    public void AfterSpawn(WorkerInfo worker) => Report.Line($"worker number={worker.Number} pid={Environment.ProcessId}");

    public int Perform(int item)
    {
        Report.Line($"started item={item} pid={Environment.ProcessId}");
        Thread.Sleep(_milliseconds);
        Report.Line($"finished item={item} pid={Environment.ProcessId}");
        return item;
    }

    public void OnResult(ItemResult<int, int> result) => Report.Result(result);
}
