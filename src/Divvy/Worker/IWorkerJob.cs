using Divvy.Framing;

namespace Divvy.Worker;

/// <summary>
/// What the worker loop needs from the user's job, with its item and result types hidden. Keeping
/// the loop itself non-generic means it is compiled ahead of time (ReadyToRun) instead of being
/// JIT-compiled for every job's types at every worker's start.
/// </summary>
internal interface IWorkerJob
{
    /// <summary>The job's <c>AfterSpawnAsync</c>, whose default calls <c>AfterSpawn</c> and completes at once.</summary>
    ValueTask AfterSpawnAsync(WorkerInfo worker, CancellationToken cancellationToken);

    /// <summary>Deserializes one item and performs it; the result waits in the job for <see cref="WriteResult"/>.</summary>
    /// <exception cref="FailItemException">The payload cannot be read as the job's item type.</exception>
    ValueTask PerformAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);

    /// <summary>Writes the last performed item's result into the worker's open batch of results.</summary>
    /// <exception cref="MessagePack.MessagePackSerializationException">The result cannot be serialized; the batch is as before.</exception>
    /// <exception cref="FrameTooLargeException">The result alone is over the frame limit; the batch is as before.</exception>
    void WriteResult(Protocol.ResultBatchWriter results, long id, long elapsedTicks);

    /// <summary>
    /// For a worker performing several items at once: deserializes one item and performs it, and
    /// returns what writes its result as a Result frame (writer, id, elapsed ticks), so no result
    /// waits in the job where another item's could overwrite it.
    /// </summary>
    /// <exception cref="FailItemException">The payload cannot be read as the job's item type.</exception>
    ValueTask<Action<FrameWriter, long, long>> PerformConcurrentlyAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);

    bool ShouldRetry(Exception error);

    /// <summary>
    /// The serialized result a failed attempt carried (<see cref="AttemptFailedException.Result"/>),
    /// or null: none, not the job's result type, or not serializable.
    /// </summary>
    byte[]? FailedResult(Exception error);
}
