namespace Divvy.Monitoring;

/// <summary>
/// Something that serves a running master to the outside while the run lasts: the Divvy.Dashboard
/// package's web page and <c>/metrics</c> endpoint is one. The master starts it once the run has
/// begun (never in a worker) and disposes of what <see cref="StartAsync"/> returned when the run is over.
/// </summary>
public interface IRunEndpoint
{
    /// <summary>Starts serving <paramref name="run"/>; the returned handle stops it.</summary>
    /// <exception cref="RunSetupException">The endpoint cannot start (its address is taken, its settings are wrong): the run does not start either.</exception>
    ValueTask<IAsyncDisposable> StartAsync(RunMonitor run, CancellationToken cancellationToken);
}
