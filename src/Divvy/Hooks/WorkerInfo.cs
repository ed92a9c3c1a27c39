namespace Divvy;

/// <summary>Which worker a hook or a result is about.</summary>
public readonly struct WorkerInfo : IEquatable<WorkerInfo>
{
    /// <summary>Creates a worker description.</summary>
    public WorkerInfo(int number, int? processId)
        : this(number, processId, null)
    {
    }

    /// <summary>Creates a description of a worker that runs on <paramref name="host"/> (one that dialed in over TCP).</summary>
    public WorkerInfo(int number, int? processId, string? host)
    {
        Number = number;
        ProcessId = processId;
        Host = host;
    }

    /// <summary>The worker's slot, 1 to the number of workers. A respawned worker keeps its slot's number.</summary>
    public int Number { get; }

    /// <summary>The worker's process id, where known (not yet in <c>BeforeSpawn</c>, which runs before the launch).</summary>
    public int? ProcessId { get; }

    /// <summary>
    /// The machine a worker that dialed in over TCP runs on, as it names itself, once it is ready;
    /// <c>null</c> for a worker on the master's machine (a local process on pipes).
    /// </summary>
    public string? Host { get; }

    /// <inheritdoc/>
    public bool Equals(WorkerInfo other) => Number == other.Number && ProcessId == other.ProcessId && Host == other.Host;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is WorkerInfo other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Number, ProcessId, Host);

    /// <summary><c>worker 3, pid 4711</c>; <c>worker 3, pid 4711 on node7</c> for a worker that dialed in.</summary>
    public override string ToString() => (ProcessId, Host) switch
    {
        ({ } pid, { } host) => $"worker {Number}, pid {pid} on {host}",
        ({ } pid, null) => $"worker {Number}, pid {pid}",
        _ => $"worker {Number}",
    };

    /// <summary>Compares two worker descriptions.</summary>
    public static bool operator ==(WorkerInfo left, WorkerInfo right) => left.Equals(right);

    /// <summary>Compares two worker descriptions.</summary>
    public static bool operator !=(WorkerInfo left, WorkerInfo right) => !left.Equals(right);
}
