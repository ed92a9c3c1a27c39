using System.Threading.Channels;
using Divvy.Launching;

namespace Divvy.Tests.Support;

/// <summary>
/// Launches <see cref="FakeWorker"/>s for the scheduler; the test takes each as it is launched
/// (<see cref="NextAsync"/>). With <see cref="HoldLaunches"/>, a launch is under way until the test
/// completes it (<see cref="NextPendingAsync"/>).
/// </summary>
internal sealed class FakeLauncher : IWorkerLauncher
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(30);

    private readonly Channel<FakeWorker> _launched = Channel.CreateUnbounded<FakeWorker>();
    private readonly Channel<PendingLaunch> _pending = Channel.CreateUnbounded<PendingLaunch>();
    private int _count;

    /// <summary>Launches return before they finish; the test finishes them.</summary>
    public bool HoldLaunches { get; set; }

    /// <summary>Thrown by every launch from now on, when set.</summary>
    public Exception? LaunchError { get; set; }

    /// <summary>Workers are made not yet connected (they connect when the test says).</summary>
    public bool ConnectLater { get; set; }

    /// <summary>A held launch gives up (is cancelled) when the scheduler cancels its token, as a well-behaved launcher does.</summary>
    public bool HonoursCancellation { get; set; }

    /// <summary>Launches asked for so far.</summary>
    public int Launches => Volatile.Read(ref _count);

    public ValueTask<IWorkerHandle> LaunchAsync(int slot, CancellationToken cancellationToken)
    {
        int number = Interlocked.Increment(ref _count);
        if (LaunchError is { } error)
        {
            throw error;
        }

        var worker = new FakeWorker(slot, 10_000 + number, connected: !ConnectLater);
        if (!HoldLaunches)
        {
            _launched.Writer.TryWrite(worker);
            return ValueTask.FromResult<IWorkerHandle>(worker);
        }

        var pending = new PendingLaunch(slot, worker, new TaskCompletionSource<IWorkerHandle>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (HonoursCancellation)
        {
            cancellationToken.Register(() => pending.Completion.TrySetCanceled(cancellationToken));
        }

        _pending.Writer.TryWrite(pending);
        return new ValueTask<IWorkerHandle>(pending.Completion.Task);
    }

    /// <summary>The next worker launched (or whose held launch the test completed).</summary>
    public async Task<FakeWorker> NextAsync() => await _launched.Reader.ReadAsync().AsTask().WaitAsync(s_patience);

    /// <summary>The next launch under way, with <see cref="HoldLaunches"/>.</summary>
    public async Task<PendingLaunch> NextPendingAsync() => await _pending.Reader.ReadAsync().AsTask().WaitAsync(s_patience);

    /// <summary>Whether another launch was asked for that the test has not taken yet.</summary>
    public bool HasPending => _pending.Reader.Count > 0;

    /// <summary>Finishes a held launch with its worker.</summary>
    public void Complete(PendingLaunch launch)
    {
        _launched.Writer.TryWrite(launch.Worker);
        launch.Completion.TrySetResult(launch.Worker);
    }

    /// <summary>A launch the scheduler is waiting for.</summary>
    internal sealed record PendingLaunch(int Slot, FakeWorker Worker, TaskCompletionSource<IWorkerHandle> Completion);
}
