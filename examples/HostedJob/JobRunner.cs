using Divvy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace HostedJob;

/// <summary>Runs the job once the host has started, then stops the application.</summary>
public sealed class JobRunner(IConfiguration configuration, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        int count = configuration.GetValue("count", 10);
        int workers = configuration.GetValue("workers", 3);

        // The host owns Ctrl-C and SIGTERM: its stopping token stops the run as Ctrl-C would.
        var options = new MasterOptions { Workers = workers, HandleSignals = false };
        RunSummary summary = await new Master(new SquareJob(count), options).RunAsync(stoppingToken);

        Console.Error.WriteLine($"HostedJob {summary}");
        Environment.ExitCode = summary.IsSuccess ? 0 : 1;
        lifetime.StopApplication();
    }
}
