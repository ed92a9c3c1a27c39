namespace Divvy.Launching;

/// <summary>
/// Launches workers as local child processes on two anonymous pipes (<see cref="WorkerLauncher"/>);
/// each handle's channel is connected from the start.
/// </summary>
internal sealed class LocalProcessLauncher : IWorkerLauncher
{
    private readonly WorkerLauncher _launcher;
    private readonly int _maxFrameSize;

    /// <param name="command">The program and arguments that become a worker.</param>
    /// <param name="stderrSink">Where each line a worker writes to stderr is copied.</param>
    /// <param name="stdoutSink"><c>null</c>: workers inherit the master's stdout; otherwise it is piped and copied here.</param>
    /// <param name="maxFrameSize">The run's frame limit (<see cref="MasterOptions.MaxFrameSize"/>).</param>
    public LocalProcessLauncher(WorkerCommand command, TextWriter stderrSink, Stream? stdoutSink, int maxFrameSize)
    {
        _launcher = new WorkerLauncher(command, stderrSink, stdoutSink);
        _maxFrameSize = maxFrameSize;
    }

    public ValueTask<IWorkerHandle> LaunchAsync(int slot, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // Process.Start is synchronous and quick; the launch completes before this returns, so the
        // scheduler sees the worker in the same step it asked for it.
        return ValueTask.FromResult<IWorkerHandle>(new LocalProcessHandle(_launcher.Launch(slot), _maxFrameSize));
    }
}
