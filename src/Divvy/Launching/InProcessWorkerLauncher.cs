using Divvy.Worker;

namespace Divvy.Launching;

/// <summary>
/// The "worker" of a run with <see cref="MasterOptions.Workers"/> = 0: the job's worker loop on a
/// thread of the calling process, over a pair of in-process pipes, so that the same scheduler runs
/// the same items with the same retries, results and summary while <c>Perform</c> runs where a
/// debugger can stop in it. One at a time; nothing can be killed (a Perform that never returns
/// holds the run).
/// </summary>
internal sealed class InProcessWorkerLauncher(IWorkerJob job, int maxFrameSize) : IWorkerLauncher
{
    public ValueTask<IWorkerHandle> LaunchAsync(int slot, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IWorkerHandle>(new InProcessWorkerThread(job, slot, maxFrameSize));
}
