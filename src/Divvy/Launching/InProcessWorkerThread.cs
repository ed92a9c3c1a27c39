using System.IO.Pipes;
using Divvy.Transport;
using Divvy.Worker;

namespace Divvy.Launching;

/// <summary>One in-process worker loop (<see cref="InProcessWorkerLauncher"/>): its pipes, its thread, its end.</summary>
internal sealed class InProcessWorkerThread : IWorkerHandle
{
    private readonly AnonymousPipeServerStream _down = new(PipeDirection.Out);
    private readonly AnonymousPipeServerStream _up = new(PipeDirection.In);
    private readonly AnonymousPipeClientStream _downWorker;
    private readonly AnonymousPipeClientStream _upWorker;
    private readonly TaskCompletionSource<WorkerEnd> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _closed;
    private int? _exitCode;

    public InProcessWorkerThread(IWorkerJob job, int slot, int maxFrameSize)
    {
        _downWorker = new AnonymousPipeClientStream(PipeDirection.In, _down.ClientSafePipeHandle);
        _upWorker = new AnonymousPipeClientStream(PipeDirection.Out, _up.ClientSafePipeHandle);
        Info = new WorkerInfo(slot, Environment.ProcessId);
        Connected = Task.FromResult<IWorkerChannel>(new StreamWorkerChannel(_up, _down, maxFrameSize, 64 * 1024));

        // What would end a worker process (its master gone, a protocol error) only ends this loop.
        var host = new WorkerHost(job, _downWorker, _upWorker, masterProcessId: null, exitProcess: code => _exitCode ??= code);
        var thread = new Thread(() => Loop(host)) { IsBackground = true, Name = $"Divvy in-process worker {slot}" };
        thread.Start();
    }

    public WorkerInfo Info { get; }

    public Task<IWorkerChannel> Connected { get; }

    public Task<WorkerEnd> Ended => _ended.Task;

    public IReadOnlyList<string> DiagnosticTail => [];

    /// <summary>
    /// A thread cannot be killed: the master's end of the pipe to it is closed, so the loop reads
    /// the end of its input and stops once its Perform returns.
    /// </summary>
    public void Kill(KillReason reason) => CloseMasterEnd();

    public async ValueTask DisposeAsync()
    {
        CloseMasterEnd();
        await _ended.Task.ConfigureAwait(false);
        await _up.DisposeAsync().ConfigureAwait(false);
        await _downWorker.DisposeAsync().ConfigureAwait(false);
    }

    private void Loop(WorkerHost host)
    {
        int code;
        try
        {
            code = host.Run();
        }
        catch (Exception)
        {
            // The loop reports what it can to the master itself; what escapes it ends this worker.
            code = WorkerExitCodes.ProtocolError;
        }
        finally
        {
            // The master reads the end of the worker's output: the loop is over.
            _upWorker.Dispose();
        }

        _ended.TrySetResult(new WorkerEnd(WorkerEndKind.Exited, _exitCode ?? code, null));
    }

    private void CloseMasterEnd()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _down.Dispose();
        }
    }
}
