namespace Divvy.Tests.Jobs;

/// <summary>
/// Items 1..count, each sleeping `sleep-ms` (30 unless given); item `victim` kills its worker the
/// way `how` says (exit, failfast, sigkill), every time it runs. Args: count, victim, how, sleep-ms.
/// </summary>
public sealed class CrashJob : IParallelizable<int, int>
{
    private readonly int _count;
    private readonly int _victim;
    private readonly string _how;
    private readonly int _sleepMs;

    public CrashJob(string[] args)
    {
        _count = Scenarios.Int(args, 0, 12);
        _victim = Scenarios.Int(args, 1, 4);
        _how = args.Length > 2 ? args[2] : "exit";
        _sleepMs = Scenarios.Int(args, 3, 30);
    }

    public IEnumerable<int> Dispatch() => Enumerable.Range(1, _count);

    public void BeforeSpawn(WorkerInfo worker) => Report.Line($"spawn worker={worker.Number}");

    public int Perform(int item)
    {
        if (item == _victim)
        {
            switch (_how)
            {
                case "failfast":
                    Environment.FailFast("crash job: fail fast");
                    break;
                case "sigkill":
                    System.Diagnostics.Process.GetCurrentProcess().Kill();
                    break;
                default:
                    Environment.Exit(42);
                    break;
            }
        }

        if (_sleepMs > 0)
        {
            Thread.Sleep(_sleepMs);
        }

        return item;
    }

    public void OnResult(ItemResult<int, int> result) => Report.Result(result);
}
