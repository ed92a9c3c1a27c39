using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Divvy.Hosting;

/// <summary>
/// The master's side: runs the job once the host has started, stops it when the host stops, and
/// (by default) stops the host when it ends. Registered by <see cref="DivvyServiceCollectionExtensions.AddDivvy"/>.
/// </summary>
internal sealed partial class DivvyRunService(
    IServiceProvider services,
    DivvyJobRegistration registration,
    DivvyRun run,
    IConfiguration configuration,
    ILoggerFactory loggerFactory,
    IOptions<DivvyHostOptions> hostOptions,
    IHostApplicationLifetime lifetime) : BackgroundService
{
    private readonly ILogger _log = loggerFactory.CreateLogger("Divvy.Hosting");

    /// <summary>The job from the container and the run's options, as <see cref="DivvyServiceCollectionExtensions.AddDivvy"/> documents them.</summary>
    internal static (IParallelizable Job, MasterOptions Options) Prepare(IServiceProvider services, DivvyJobRegistration registration, IConfiguration configuration, ILoggerFactory loggerFactory)
    {
        var job = (IParallelizable)services.GetRequiredService(registration.JobType);
        MasterOptions options = Master.OptionsFor(job);
        options.LoggerFactory = loggerFactory;
        configuration.GetSection(DivvyHostOptions.SectionName).Bind(options);
        registration.Configure?.Invoke(options);
        options.HandleSignals = false;
        return (job, options);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the host's start: StartAsync returns at the first await, and the run takes long.
        await Task.Yield();
        if (stoppingToken.IsCancellationRequested)
        {
            run.NeverStarted();
            return;
        }

        int exitCode = 1;
        try
        {
            await using AsyncServiceScope scope = services.CreateAsyncScope();
            (IParallelizable job, MasterOptions options) = Prepare(scope.ServiceProvider, registration, configuration, loggerFactory);
            var master = new Master(job, options);
            run.Master = master;

            // The host's stopping token stops the run as Ctrl-C would: no new items, items in hand finish.
            RunSummary summary = await master.RunAsync(stoppingToken).ConfigureAwait(false);
            exitCode = summary.IsSuccess ? 0 : 1;
            run.Ended(summary);
        }
        catch (Exception ex)
        {
            // The run's own failure (a hook, Dispatch, workers that cannot start): the app ends with it, logged.
            Log.RunFailed(_log, ex);
            run.Failed(ex);
        }
        finally
        {
            run.Master = null;
        }

        if (hostOptions.Value.SetExitCode)
        {
            Environment.ExitCode = exitCode;
        }

        if (hostOptions.Value.StopApplication)
        {
            lifetime.StopApplication();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "the Divvy run ended with an exception")]
        public static partial void RunFailed(ILogger logger, Exception error);
    }
}
