namespace Divvy;

/// <summary>Why a worker was replaced between items. Numbers are part of the wire format.</summary>
public enum RecycleReason
{
    /// <summary>It performed <see cref="MasterOptions.MaxItemsPerWorker"/> items (give or take its jitter).</summary>
    ItemCount = 1,

    /// <summary>Its resident memory passed <see cref="MasterOptions.MaxWorkerMemory"/>.</summary>
    Memory = 2,

    /// <summary>It lived longer than <see cref="MasterOptions.MaxWorkerAge"/>.</summary>
    Age = 3,
}
