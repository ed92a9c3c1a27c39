using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Divvy.Hosting;

/// <summary>Registers a Divvy job with a host's services.</summary>
public static class DivvyServiceCollectionExtensions
{
    /// <summary>
    /// Runs <typeparamref name="TJob"/> with the host. In the master, a hosted service resolves the
    /// job from the container (in a scope of its own), runs it once the host has started, and by
    /// default stops the application at the run's end with the exit code set from the summary
    /// (<see cref="DivvyHostOptions"/>); the host's stopping (Ctrl-C, SIGTERM,
    /// <see cref="IHostApplicationLifetime.StopApplication"/>) stops the run gracefully. In a worker,
    /// <see cref="DivvyHostExtensions.RunDivvyAsync"/> resolves the job from the same registrations
    /// and runs the worker loop without starting the host.
    /// </summary>
    /// <remarks>
    /// The run's <see cref="MasterOptions"/> are, in this order: the job's <c>Configure</c>, the
    /// host's <see cref="Microsoft.Extensions.Logging.ILoggerFactory"/>, the configuration section
    /// <see cref="DivvyHostOptions.SectionName"/> (<c>"Divvy": { "Workers": 8 }</c>, or
    /// <c>--Divvy:Workers 8</c> on the command line), then <paramref name="configure"/>.
    /// <see cref="MasterOptions.HandleSignals"/> is always off: the host owns the signals.
    /// <typeparamref name="TJob"/> is registered as a transient service unless already registered.
    /// </remarks>
    /// <exception cref="InvalidOperationException">A job was already added: one Divvy job per host.</exception>
    public static IServiceCollection AddDivvy<TJob>(this IServiceCollection services, Action<MasterOptions>? configure = null)
        where TJob : class, IParallelizable
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(DivvyJobRegistration)))
        {
            throw new InvalidOperationException($"AddDivvy was already called: a host runs one Divvy job, and {typeof(TJob).Name} would be a second");
        }

        services.TryAddTransient<TJob>();
        services.AddSingleton(new DivvyJobRegistration(typeof(TJob), configure));
        services.AddOptions<DivvyHostOptions>().Configure<IConfiguration>((options, configuration) => configuration.GetSection(DivvyHostOptions.SectionName).Bind(options));
        services.AddSingleton<DivvyRun>();
        services.AddHostedService<DivvyRunService>();
        return services;
    }
}
