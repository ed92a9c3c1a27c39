using Microsoft.Extensions.Hosting;

namespace HostedJob;

/// <summary>A hosted service that says when it starts: once per run, never once per worker.</summary>
public sealed class Announcer : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine($"host started on pid {Environment.ProcessId}");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
