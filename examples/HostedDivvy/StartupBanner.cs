using Microsoft.Extensions.Hosting;

namespace HostedDivvy;

/// <summary>Stands for a web server or a queue listener: a hosted service, so it starts in the master only, never in a worker.</summary>
public sealed class StartupBanner : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The marker the specs look for: one line per process that started the host.
        Console.WriteLine($"host started on pid {Environment.ProcessId}");
        return Task.CompletedTask;
    }
}
