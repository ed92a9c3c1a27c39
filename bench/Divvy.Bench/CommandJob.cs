using System.Globalization;
using Divvy;

namespace Divvy.Bench;

/// <summary>
/// The int workloads as the <c>divvy</c> command runs them (it builds a job from its arguments;
/// its <c>-n</c> is the number of workers):
/// <c>divvy -n 2 --job CommandJob Divvy.Bench.dll trivial|sleep|cpu --items M [--sleep-ms S] [--rounds R --size B]</c>.
/// A failed item makes the command exit non-zero.
/// </summary>
public sealed class CommandJob : IParallelizable<int, int>
{
    private readonly IParallelizable<int, int> _workload;

    public CommandJob(string[] args)
    {
        int items = Int(args, "--items", 1000);
        _workload = args.FirstOrDefault() switch
        {
            "trivial" => new TrivialJob(items),
            "sleep" => new SleepJob(items, Int(args, "--sleep-ms", 150)),
            "cpu" => new CpuJob(items, Int(args, "--rounds", 250), Int(args, "--size", 1024 * 1024)),
            var other => throw new ArgumentException($"CommandJob: unknown workload '{other}': use trivial, sleep or cpu", nameof(args)),
        };
    }

    public IEnumerable<int> Dispatch() => _workload.Dispatch();

    public ValueTask<int> PerformAsync(int item, CancellationToken cancellationToken) => _workload.PerformAsync(item, cancellationToken);

    public void AfterSpawn(WorkerInfo worker) => _workload.AfterSpawn(worker);

    private static int Int(string[] args, string name, int fallback) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
