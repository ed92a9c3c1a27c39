namespace Divvy.Protocol;

/// <summary>
/// The worker's answer once its <c>AfterSpawn</c> hook has run: its protocol version and process
/// id, and for a worker that dialed in from anywhere, the machine it runs on and what its launcher
/// calls it (<see cref="Launching.WorkerEnvironment.LaunchIdVariable"/>, e.g. a Slurm array task),
/// so the master can name it and ask its engine how it ended.
/// </summary>
internal sealed record ReadyMessage(int ProtocolVersion, int ProcessId, string? Host = null, string? LaunchId = null) : Message
{
    public override MessageKind Kind => MessageKind.Ready;
}
