using System.Diagnostics;
using System.Threading.Channels;
using Divvy;
using Divvy.Bench.Stream;

// dotnet Divvy.Bench.Stream.dll <items> <stream|unbounded|plain> [sleep every N results, default 100]
// A reader of results slower than the workers: it sleeps 1 ms every N results. "stream" reads
// Master.RunStreamingAsync; "unbounded" copies every result from OnResult into an unbounded channel
// that the same reader drains (no backpressure); "plain" has no reader at all. Prints the master's
// peak working set and its working set sampled as the reader goes.
int items = int.Parse(args[0]);
string form = args[1];
int every = args.Length > 2 ? int.Parse(args[2]) : 100;
var job = new TrivialJob(items);
MasterOptions options = Master.OptionsFor(job);
options.Workers = 2;
var master = new Master(job, options);

var clock = Stopwatch.StartNew();
long read = 0;
var samples = new List<string>();
void Read()
{
    if (++read % every == 0)
    {
        Thread.Sleep(1);
    }

    if (read % (items / 5) == 0)
    {
        samples.Add($"{read / 1000}k:{Environment.WorkingSet / 1048576.0:F0}MiB");
    }
}

switch (form)
{
    case "stream":
        await foreach (ItemResult<int, int> result in master.RunStreamingAsync<int, int>())
        {
            Read();
        }

        break;
    case "unbounded":
        var sink = Channel.CreateUnbounded<ItemResult<int, int>>(new UnboundedChannelOptions { SingleReader = true });
        job.Sink = sink.Writer;
        Task reading = Task.Run(async () =>
        {
            await foreach (ItemResult<int, int> result in sink.Reader.ReadAllAsync())
            {
                Read();
            }
        });
        await master.RunAsync();
        sink.Writer.Complete();
        await reading;
        break;
    default:
        await master.RunAsync();
        break;
}

using Process self = Process.GetCurrentProcess();
Console.WriteLine($"{form}: {items:N0} items, read {read:N0}, {clock.Elapsed.TotalSeconds:F1} s, run ended after {master.Summary?.Elapsed.TotalSeconds:F1} s, master peak working set {self.PeakWorkingSet64 / 1048576.0:F1} MiB, as read: {string.Join(" ", samples)}");
