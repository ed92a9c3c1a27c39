using System.Security.Cryptography;
using System.Text;
using Divvy.Monitoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Divvy.Dashboard;

/// <summary>The dashboard's Kestrel server for one run; disposing of it stops it, after the run's <see cref="MasterOptions.MetricsLinger"/>.</summary>
internal sealed partial class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RunMonitor _run;
    private readonly byte[] _token;
    private readonly ThroughputHistory _history;
    private readonly SnapshotFeed _feed;
    private readonly CancellationTokenSource _runOver = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _log;

    private DashboardServer(WebApplication app, RunMonitor run, string token, string address)
    {
        _app = app;
        _run = run;
        _token = Encoding.UTF8.GetBytes($"Bearer {token}");
        Address = address;
        _log = run.Options.LoggerFactory.CreateLogger("Divvy.Dashboard");
        _history = new ThroughputHistory(run, TimeProvider.System);
        _feed = new SnapshotFeed(run, _history, TimeProvider.System);
    }

    /// <summary>The page's URL: <c>http://127.0.0.1:9090/</c>.</summary>
    public string Address { get; }

    public static async Task<DashboardServer> StartAsync(RunMonitor run, string host, int port, string token, CancellationToken cancellationToken)
    {
        // The run's meter must exist for the exporter to find it.
        string meterName = run.Meter.Name;
        Action<KestrelServerOptions> listen = ListenAddress.For(host, port);
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "Divvy.Dashboard" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            listen(kestrel);
        });

        // The host's own logging would repeat, in its words, the one line a failure to listen gets.
        builder.Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName: "divvy", serviceVersion: typeof(RunMonitor).Assembly.GetName().Version?.ToString()).AddAttributes([new("divvy.job", run.JobName)]))
            .WithMetrics(metrics => metrics
            .AddMeter(meterName)
            .AddView("divvy.item.duration", new ExplicitBucketHistogramConfiguration { Boundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] })
            .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        WebApplication app = builder.Build();
        var server = new DashboardServer(app, run, token, $"http://{ListenAddress.Authority(host, port)}/");
        app.UseOpenTelemetryPrometheusScrapingEndpoint();
        app.Run(server.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or InvalidOperationException or ArgumentException)
        {
            await server.DisposeCoreAsync().ConfigureAwait(false);
            throw new RunSetupException($"cannot listen on {ListenAddress.Authority(host, port)}: {ListenAddress.Reason(ex, host)}", ex);
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        // Open pages get the final state at once (and the end of the stream), linger or not.
        await _runOver.CancelAsync().ConfigureAwait(false);
        if (_run.Options.MetricsLinger > TimeSpan.Zero)
        {
            // Leave the final counts up for one more scrape, and the page on its last state.
            await Task.Delay(_run.Options.MetricsLinger, _run.Options.TimeProvider).ConfigureAwait(false);
        }

        await DisposeCoreAsync().ConfigureAwait(false);
    }

    private async Task DisposeCoreAsync()
    {
        _history.Dispose();

        // Streams still open end by themselves once they have sent the final state; any left
        // after the deadline are cut.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        using CancellationTokenRegistration cut = deadline.Token.Register(_stopping.Cancel);
        try
        {
            await _app.StopAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Connections that did not close in time are dropped.
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _feed.Dispose();
        _stopping.Dispose();
        _runOver.Dispose();
    }

    private bool Authorized(HttpContext context)
    {
        string? authorization = context.Request.Headers.Authorization;
        return authorization is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization), _token);
    }
}
