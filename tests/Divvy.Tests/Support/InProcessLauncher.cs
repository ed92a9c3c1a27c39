using System.Collections.Concurrent;
using Divvy.Launching;
using Divvy.Worker;

namespace Divvy.Tests.Support;

/// <summary>
/// A launcher whose workers are the real worker loop (<see cref="WorkerHost"/>) running inside the
/// test process on anonymous pipe pairs: the scheduler is driven end to end, and no process starts.
/// </summary>
internal sealed class InProcessLauncher : IWorkerLauncher
{
    private readonly Func<IWorkerJob> _job;
    private readonly int _maxFrameSize;
    private readonly ConcurrentQueue<InProcessWorker> _launched = new();

    public InProcessLauncher(IWorkerJob job, int maxFrameSize = MasterOptions.DefaultMaxFrameSize)
        : this(() => job, maxFrameSize)
    {
    }

    /// <summary>
    /// Each worker gets a job adapter of its own, as each worker process has: an adapter holds the
    /// last result between performing an item and writing it, so workers sharing one would mix results.
    /// </summary>
    public InProcessLauncher(Func<IWorkerJob> jobPerWorker, int maxFrameSize = MasterOptions.DefaultMaxFrameSize)
    {
        _job = jobPerWorker;
        _maxFrameSize = maxFrameSize;
    }

    /// <summary>Every worker launched so far, in launch order.</summary>
    public IReadOnlyCollection<InProcessWorker> Launched => _launched;

    public ValueTask<IWorkerHandle> LaunchAsync(int slot, CancellationToken cancellationToken)
    {
        var worker = new InProcessWorker(slot, _job(), _maxFrameSize);
        _launched.Enqueue(worker);
        return ValueTask.FromResult<IWorkerHandle>(worker);
    }
}
