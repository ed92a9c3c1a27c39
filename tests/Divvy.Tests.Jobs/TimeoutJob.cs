using System.Diagnostics;

namespace Divvy.Tests.Jobs;

/// <summary>
/// Item `hang` (1 unless given) hangs: with "honour" it waits on its token; with "ignore" it starts
/// a grandchild (sleep 600), says its pid, and blocks without looking at the token. The others are
/// quick. Args: mode, count, hang.
/// </summary>
public sealed class TimeoutJob : IParallelizable<int, int>
{
    private readonly string _mode;
    private readonly int _count;
    private readonly int _hang;

    public TimeoutJob(string[] args)
    {
        _mode = args[0];
        _count = Scenarios.Int(args, 1, 4);
        _hang = Scenarios.Int(args, 2, 1);
    }

    public IEnumerable<int> Dispatch() => Enumerable.Range(1, _count);

    public void AfterSpawn(WorkerInfo worker) => Report.Line($"worker number={worker.Number} pid={Environment.ProcessId}");

    public async ValueTask<int> PerformAsync(int item, CancellationToken cancellationToken)
    {
        if (item == _hang && _mode == "honour")
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        else if (item == _hang)
        {
            using var grandchild = Process.Start("sleep", "600");
            Report.Line($"grandchild pid={grandchild.Id} worker={Environment.ProcessId}");
            Thread.Sleep(Timeout.Infinite);
        }

        return item;
    }

    public void OnAttempt(ItemAttempt<int> attempt) =>
        Report.Line($"attempt item={attempt.Item} n={attempt.Attempt} outcome={attempt.Outcome} pid={attempt.Worker.ProcessId}");

    public void OnResult(ItemResult<int, int> result) =>
        Report.Line($"final item={result.Item} status={result.Status} attempts={result.Attempts} pid={result.Worker.ProcessId}");
}
