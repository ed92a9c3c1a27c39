namespace Divvy.Transport.Tcp;

/// <summary>
/// What a master tells a TCP worker once both have proved they know the token: the job's
/// arguments (so a worker needs only the assembly and the address) and the heartbeat settings (so
/// it knows how long a silent master may stay silent before the worker gives up on it).
/// </summary>
internal sealed record SessionTerms(IReadOnlyList<string> JobArguments, TimeSpan HeartbeatInterval, TimeSpan HeartbeatTimeout);
