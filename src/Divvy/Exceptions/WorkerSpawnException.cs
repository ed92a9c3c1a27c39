namespace Divvy;

/// <summary>
/// A worker process could not be launched, or launching one was refused: a worker never spawns
/// workers, and nested masters stop at a fixed depth, so a mistake cannot turn into a fork bomb.
/// No worker dialling in within the connect timeout is one such case, <see cref="WorkerConnectTimeoutException"/>.
/// </summary>
public class WorkerSpawnException : DivvyException
{
    /// <summary>Creates the exception.</summary>
    public WorkerSpawnException(string message, Exception? innerException = null) : base(message, innerException) { }
}
