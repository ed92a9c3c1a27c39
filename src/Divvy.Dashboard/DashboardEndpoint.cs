using System.Security.Cryptography;
using Divvy.Monitoring;

namespace Divvy.Dashboard;

/// <summary>
/// Serves a run on <see cref="MasterOptions.MetricsHost"/>:<see cref="MasterOptions.MetricsPort"/>
/// with Kestrel: the live page at <c>/</c> (its updates at <c>/events</c>, server-sent), the state
/// as JSON at <c>/api/snapshot</c>, Prometheus text at <c>/metrics</c>, the pool size at
/// <c>/herd</c> (<c>PATCH</c> to resize) and <c>POST /stop</c>. Changing the run needs
/// <c>Authorization: Bearer</c> with <see cref="MasterOptions.ControlToken"/> (a random one is made
/// and printed when none is given). A run with <see cref="MasterOptions.MetricsPort"/> set and this
/// package referenced uses it without more code.
/// </summary>
public sealed class DashboardEndpoint : IRunEndpoint
{
    /// <inheritdoc />
    public async ValueTask<IAsyncDisposable> StartAsync(RunMonitor run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        MasterOptions options = run.Options;
        if (options.MetricsPort is not { } port)
        {
            throw new RunSetupException("the dashboard needs MasterOptions.MetricsPort (divvy --dashboard PORT)");
        }

        string? given = options.ControlToken;
        string token = given ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        DashboardServer server = await DashboardServer.StartAsync(run, options.MetricsHost, port, token, cancellationToken).ConfigureAwait(false);
        string tokenNote = given is null ? $"; resizing and stopping need the token {token}" : "";
        Console.Error.WriteLine($"divvy: dashboard at {server.Address} (Prometheus at {server.Address}metrics{tokenNote})");
        return server;
    }
}
