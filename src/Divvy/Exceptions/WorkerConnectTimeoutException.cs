namespace Divvy;

/// <summary>
/// A run that waits for workers to dial in (<see cref="MasterOptions.Launcher"/> set to
/// <see cref="WorkerLauncherKind.External"/>) had no connected worker for
/// <see cref="MasterOptions.ConnectTimeout"/> while it needed one: nobody started a worker, or none
/// could reach <see cref="MasterOptions.Listen"/>, or none knew the token. The run stops.
/// </summary>
public sealed class WorkerConnectTimeoutException : WorkerSpawnException
{
    /// <summary>Creates the exception.</summary>
    public WorkerConnectTimeoutException(string message, Exception? innerException = null) : base(message, innerException) { }
}
