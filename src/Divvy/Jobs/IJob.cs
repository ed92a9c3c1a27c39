using Divvy.Launching;

namespace Divvy.Jobs;

/// <summary>
/// A user's <see cref="IParallelizable{TItem, TResult}"/> with its type parameters hidden, so the
/// scheduler and the CLI need no generics. <see cref="JobAdapter{TItem, TResult}"/> is the only implementation.
/// </summary>
internal interface IJob
{
    /// <summary>The user's job type, for messages.</summary>
    Type JobType { get; }

    /// <summary>Yields serialized items; serialization errors surface here, in the master.</summary>
    IAsyncEnumerable<DispatchedItem> DispatchAsync(CancellationToken cancellationToken);

    void BeforeSpawn(WorkerInfo worker);

    void ReportSucceeded(DispatchedItem item, ReadOnlyMemory<byte> resultPayload, WorkerInfo worker, TimeSpan duration);

    void ReportFailed(DispatchedItem item, RemoteError error, WorkerInfo worker, TimeSpan duration);

    void ReportCrashed(DispatchedItem item, WorkerInfo worker, WorkerExit exit);

    /// <summary>Runs the worker loop of this process; the returned code is the process exit code.</summary>
    Task<int> RunWorkerAsync(WorkerChannelInfo channel);
}
