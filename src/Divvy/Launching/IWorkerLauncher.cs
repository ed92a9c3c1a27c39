namespace Divvy.Launching;

/// <summary>
/// Brings workers into existence for the scheduler: a local child process today; later a worker
/// that dials back over TCP, or one a cluster engine starts. The scheduler never sees how.
/// </summary>
internal interface IWorkerLauncher
{
    /// <summary>
    /// Launches the worker for slot <paramref name="slot"/> (1-based). The handle's channel may
    /// connect later than the launch returns.
    /// </summary>
    /// <exception cref="WorkerSpawnException">Workers cannot be launched here; retrying will not help.</exception>
    ValueTask<IWorkerHandle> LaunchAsync(int slot, CancellationToken cancellationToken);
}
