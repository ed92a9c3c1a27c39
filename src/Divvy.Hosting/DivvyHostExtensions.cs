using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Divvy.Hosting;

/// <summary>Runs a host whose services hold a Divvy job (<see cref="DivvyServiceCollectionExtensions.AddDivvy"/>).</summary>
public static class DivvyHostExtensions
{
    /// <summary>
    /// In the program you started, runs the host (<see cref="HostingAbstractionsHostExtensions.RunAsync"/>):
    /// its hosted services start, the Divvy run among them, and it returns when the host has stopped.
    /// In a worker process, never starts the host: no hosted service starts, no web server binds a
    /// port; the job is resolved from the host's services (in a scope) and the worker loop runs on
    /// the calling thread until the master is done with it, and the process exits.
    /// </summary>
    /// <exception cref="InvalidOperationException">The host's services hold no Divvy job.</exception>
    public static Task RunDivvyAsync(this IHost host, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        DivvyJobRegistration registration = host.Services.GetService<DivvyJobRegistration>()
            ?? throw new InvalidOperationException("RunDivvyAsync needs a job: call services.AddDivvy<TJob>() before building the host");
        if (!Master.IsWorker)
        {
            return host.RunAsync(cancellationToken);
        }

        // A worker takes its settings from the master: only the job is needed, with its dependencies.
        using IServiceScope scope = host.Services.CreateScope();
        var job = (IParallelizable)scope.ServiceProvider.GetRequiredService(registration.JobType);

        // In a worker, Run is the worker loop; the process exits at its end.
        new Master(job).Run();
        return Task.CompletedTask;
    }
}
