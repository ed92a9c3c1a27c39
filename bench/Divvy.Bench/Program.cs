using System.Globalization;
using Divvy;
using Divvy.Bench;

// Divvy.Bench WORKLOAD --workers N --items M [--sleep-ms S] [--rounds R --size B] [--payload B --echo] [--prefetch K] [--per-worker K] [--journal PATH]
//             [--listen HOST:PORT --token-file PATH]   (workers dial in over TCP: bench/remote.sh starts them)
//             [--slurm]   (Slurm starts the workers, which dial back: bench/slurm.sh)
// Divvy.Bench hello | pingpong --items M     (floors without Divvy: process start, raw pipe round trip)
// Divvy.Bench floor WORKLOAD --workers N --items M [options]   (the same work in N plain child processes, no Divvy)
// DIVVY_BENCH_STATS=1 also prints the master's allocations, collections and CPU to stderr.
// Prints "processed=<count> expected=<M> ok" (the count is of results the workers sent back) and
// exits 0, or prints MISMATCH and exits 3. Exits only after every worker has exited.
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: Divvy.Bench trivial|sleep|cpu|payload --workers N --items M [--sleep-ms S] [--rounds R] [--size B] [--payload B] [--echo] [--prefetch K] [--per-worker K]");
    Console.Error.WriteLine("       Divvy.Bench hello | pingpong --items M | floor WORKLOAD --workers N --items M [options]");
    return 2;
}

string workload = args[0];

// Floors, without Divvy: the start of this very program, and a raw pipe round trip between two .NET processes.
switch (workload)
{
    case "hello":
        Console.WriteLine("hello ok");
        return 0;
    case PingPong.EchoWorkload:
        return PingPong.Echo();
    case "pingpong":
        return PingPong.Run(Int("--items", 100_000));
    case "floor":
        return Floors.Run(args.Length > 1 ? args[1] : "", Int("--workers", 2), Int("--items", 1000), Int, Has("--echo"));
    case Floors.ChildWorkload:
        return Floors.Child(args[1], Int, Has("--echo"));
}

if (workload is not ("trivial" or "sleep" or "cpu" or "payload"))
{
    Console.Error.WriteLine($"Divvy.Bench: unknown workload '{workload}': use trivial, sleep, cpu or payload (or the floors: hello, pingpong)");
    return 2;
}

int workers = Int("--workers", 2);
int items = Int("--items", 1000);
var options = new MasterOptions { Workers = workers, HandleSignals = true };
if (Value("--listen") is { } listen)
{
    // The same program, started with DIVVY_CONNECT and DIVVY_TOKEN_FILE, is a worker of this one.
    options.Launcher = WorkerLauncherKind.External;
    options.Listen = System.Net.IPEndPoint.Parse(listen);
    options.TokenFile = Value("--token-file");
}

if (Has("--slurm"))
{
    // Slurm starts the workers (an array outside an allocation) and they dial back on loopback: bench/slurm.sh.
    options.Launcher = WorkerLauncherKind.Slurm;
    options.Listen = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0);
}

if (Has("--prefetch"))
{
    options.MaxPrefetch = Int("--prefetch", 256);
}

if (Value("--journal") is { } journal)
{
    // Every settled item recorded (issue 16's resume): the journal's cost per item.
    options.Journal = journal;
}

if (Has("--per-worker"))
{
    // Items each worker performs at once: the latency-bound row (sleep) with K > 1.
    options.MaxConcurrentItemsPerWorker = Int("--per-worker", 1);
}

long processed = 0;
IParallelizable job = workload switch
{
    "trivial" => new Counting<int, int>(new TrivialJob(items), () => processed++),
    "sleep" => new Counting<int, int>(new SleepJob(items, Int("--sleep-ms", 150)), () => processed++),
    "cpu" => new Counting<int, int>(new CpuJob(items, Int("--rounds", 250), Int("--size", 1024 * 1024)), () => processed++),
    _ => new Counting<Payload, Payload>(new PayloadJob(items, Int("--payload", 64 * 1024), Has("--echo")), () => processed++),
};

RunSummary summary = new Master(job, options).Run();
if (Environment.GetEnvironmentVariable("DIVVY_BENCH_STATS") == "1")
{
    // What the master itself cost: bytes allocated, collections per generation, CPU (for bench/notes.md).
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"master: allocated={GC.GetTotalAllocatedBytes(precise: true)} gc0={GC.CollectionCount(0)} gc1={GC.CollectionCount(1)} gc2={GC.CollectionCount(2)} gc_pause_ms={GC.GetTotalPauseDuration().TotalMilliseconds:F0} cpu_ms={Environment.CpuUsage.TotalTime.TotalMilliseconds:F0} user_ms={Environment.CpuUsage.UserTime.TotalMilliseconds:F0}"));
}
if (processed == items && summary.Succeeded == items)
{
    Console.WriteLine($"processed={processed} expected={items} ok");
    return 0;
}

Console.WriteLine($"processed={processed} expected={items} MISMATCH ({summary})");
return 3;

int Int(string name, int fallback) =>
    Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;

// Array.IndexOf, not LINQ's Contains: the bench's own argument parsing should not load System.Linq
// into the master it measures (Divvy's master does not load it).
bool Has(string name) => Array.IndexOf(args, name) >= 0;

string? Value(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
