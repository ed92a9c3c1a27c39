namespace Divvy.Scheduling;

/// <summary>Why a worker was launched into its slot; <see cref="RunSummary.SpawnsByReason"/> counts launches by it.</summary>
internal enum SpawnReason
{
    /// <summary>The slot was empty: first launch, or the pool grew.</summary>
    Start,

    /// <summary>The slot's previous worker crashed.</summary>
    Crash,

    /// <summary>The slot's previous worker was killed at an item's hard deadline.</summary>
    Timeout,

    /// <summary>The slot's previous worker recycled itself.</summary>
    Recycle,

    /// <summary>The slot's previous worker stopped answering heartbeats.</summary>
    Unresponsive,

    /// <summary>The slot's previous worker lost its connection.</summary>
    Lost,
}
