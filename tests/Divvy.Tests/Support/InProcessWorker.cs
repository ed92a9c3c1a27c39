using System.IO.Pipes;
using Divvy.Launching;
using Divvy.Transport;
using Divvy.Worker;

namespace Divvy.Tests.Support;

/// <summary>
/// One in-process worker: a <see cref="WorkerHost"/> on its own task, joined to the master by two
/// anonymous pipes. <see cref="Die"/> cuts it off as a crash would: nothing more reaches the master.
/// </summary>
internal sealed class InProcessWorker : IWorkerHandle
{
    private static readonly AsyncLocal<InProcessWorker?> s_current = new();

    private readonly AnonymousPipeServerStream _down = new(PipeDirection.Out);
    private readonly AnonymousPipeServerStream _up = new(PipeDirection.In);
    private readonly AnonymousPipeClientStream _workerDown;
    private readonly AnonymousPipeClientStream _workerUp;
    private readonly TaskCompletionSource<WorkerEnd> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public InProcessWorker(int slot, IWorkerJob job, int maxFrameSize)
    {
        Info = new WorkerInfo(slot, null);
        _workerDown = new AnonymousPipeClientStream(PipeDirection.In, _down.ClientSafePipeHandle);
        _workerUp = new AnonymousPipeClientStream(PipeDirection.Out, _up.ClientSafePipeHandle);
        Connected = Task.FromResult<IWorkerChannel>(new StreamWorkerChannel(_up, _down, maxFrameSize, 1024 * 1024));
        Host = Task.Run(() => RunAsync(job));
    }

    /// <summary>The worker whose job code is running on this flow, for a job that wants its worker to die.</summary>
    public static InProcessWorker? Current => s_current.Value;

    public WorkerInfo Info { get; }

    public Task<IWorkerChannel> Connected { get; }

    public Task<WorkerEnd> Ended => _ended.Task;

    /// <summary>The worker loop; completes when it returns or breaks.</summary>
    public Task Host { get; }

    public IReadOnlyList<string> DiagnosticTail => [];

    /// <summary>What the master asked for, if it killed this worker.</summary>
    public KillReason? KilledFor { get; private set; }

    /// <summary>The worker vanishes as a remote one whose link drops: no exit code, nothing more sent.</summary>
    public void Die() => Cut(new WorkerEnd(WorkerEndKind.ConnectionLost, null, null));

    public void Kill(KillReason reason)
    {
        KilledFor ??= reason;
        Cut(new WorkerEnd(WorkerEndKind.Killed, 128 + 9, 9));
    }

    public ValueTask DisposeAsync()
    {
        // The master's ends: closing the one it wrote to ends the worker's reader with EOF.
        _down.Dispose();
        _up.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Cut(WorkerEnd end)
    {
        if (_ended.TrySetResult(end))
        {
            _workerUp.Dispose();
        }
    }

    private async Task RunAsync(IWorkerJob job)
    {
        s_current.Value = this;
        int code;
        try
        {
            code = await new WorkerHost(job, _workerDown, _workerUp, masterProcessId: null, exitProcess: c => Cut(new WorkerEnd(WorkerEndKind.Exited, c, null))).RunAsync();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException && _ended.Task.IsCompleted)
        {
            // It was cut off mid-write: that is how it died.
            return;
        }

        Cut(new WorkerEnd(WorkerEndKind.Exited, code, null));
    }
}
