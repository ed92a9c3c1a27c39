using Divvy;
using Divvy.Tests.Jobs;

// The test suite starts this program as a master: "Divvy.Tests.Jobs <scenario> <workers> [args...]".
// Workers re-run it with the same arguments, so the scenario is rebuilt identically in each.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Divvy.Tests.Jobs <scenario> <workers> [args...]");
    return 2;
}

string scenario = args[0];
int workers = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
string[] rest = args[2..];
IParallelizable job = Scenarios.Create(scenario, rest);
// The job's own defaults (its Configure) first, then this program's settings over them.
MasterOptions options = Master.OptionsFor(job);
options.Workers = workers;
options.ShutdownTimeout = TimeSpan.FromSeconds(5);
if (Environment.GetEnvironmentVariable("JOBS_LOG") == "1")
{
    UseStdoutLog(options);
}

if (Environment.GetEnvironmentVariable("JOBS_MAX_FRAME") is { } maxFrame)
{
    options.MaxFrameSize = int.Parse(maxFrame, System.Globalization.CultureInfo.InvariantCulture);
}

if (Environment.GetEnvironmentVariable("JOBS_METRICS_PORT") is { } metricsPort)
{
    options.MetricsPort = int.Parse(metricsPort, System.Globalization.CultureInfo.InvariantCulture);
}

try
{
    var master = new Master(job, options);
    RunSummary summary = Environment.GetEnvironmentVariable("JOBS_STREAM") == "1"
        ? Streaming.RunAsync(master, job, Scenarios.RunCancellation.Token).GetAwaiter().GetResult()
        : master.RunAsync(Scenarios.RunCancellation.Token).GetAwaiter().GetResult();
    Report.Summary(summary);
    return summary.IsSuccess ? 0 : 1;
}
catch (DivvyException ex)
{
    Console.WriteLine($"error {ex.GetType().Name} {ex.Message.Split('\n')[0]}");
    Console.Error.WriteLine(ex.Message);
    return 3;
}
catch (Exception ex)
{
    Console.WriteLine($"error {ex.GetType().Name} {ex.Message}");
    return 4;
}

// A method of its own, so that compiling the program's main method does not load the logging
// assembly in every worker (the "assemblies" scenario checks what a worker loads).
static void UseStdoutLog(MasterOptions options) => options.LoggerFactory = new StdoutLoggerProvider();
