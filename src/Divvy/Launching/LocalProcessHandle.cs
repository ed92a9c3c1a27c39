using Divvy.Transport;

namespace Divvy.Launching;

/// <summary>A local worker process as an <see cref="IWorkerHandle"/>: its pipes are the channel, its exit the end.</summary>
internal sealed class LocalProcessHandle : IWorkerHandle
{
    private readonly WorkerProcess _process;

    public LocalProcessHandle(WorkerProcess process, int maxFrameSize)
    {
        _process = process;
        Connected = Task.FromResult<IWorkerChannel>(new StreamWorkerChannel(process.Up, process.Down, maxFrameSize, FileDescriptors.PreferredWindowBytes));
        Ended = process.WaitForEndAsync();
    }

    public WorkerInfo Info => _process.Info;

    public Task<IWorkerChannel> Connected { get; }

    public Task<WorkerEnd> Ended { get; }

    public IReadOnlyList<string> DiagnosticTail => _process.Tail.Snapshot();

    public void Kill(KillReason reason) => _process.Kill();

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
