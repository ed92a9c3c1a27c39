namespace Divvy;

/// <summary>Which worker a hook or a result is about.</summary>
public readonly struct WorkerInfo : IEquatable<WorkerInfo>
{
    /// <summary>Creates a worker description.</summary>
    public WorkerInfo(int number, int? processId)
    {
        Number = number;
        ProcessId = processId;
    }

    /// <summary>The worker's slot, 1 to the number of workers. A respawned worker keeps its slot's number.</summary>
    public int Number { get; }

    /// <summary>The worker's process id, where known (not yet in <c>BeforeSpawn</c>, which runs before the launch).</summary>
    public int? ProcessId { get; }

    /// <inheritdoc/>
    public bool Equals(WorkerInfo other) => Number == other.Number && ProcessId == other.ProcessId;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is WorkerInfo other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Number, ProcessId);

    /// <summary><c>worker 3, pid 4711</c>.</summary>
    public override string ToString() => ProcessId is { } pid ? $"worker {Number}, pid {pid}" : $"worker {Number}";

    /// <summary>Compares two worker descriptions.</summary>
    public static bool operator ==(WorkerInfo left, WorkerInfo right) => left.Equals(right);

    /// <summary>Compares two worker descriptions.</summary>
    public static bool operator !=(WorkerInfo left, WorkerInfo right) => !left.Equals(right);
}
