using Divvy.Jobs;
using Divvy.Launching;
using Divvy.Protocol;
using Divvy.Transport;

namespace Divvy.Tests.Support;

/// <summary>
/// A worker that is only a script: the test reads what the master sends it and says what it
/// answers, through an <see cref="InMemoryWorkerChannel"/>; it ends when the test says so (or, by
/// default, when the master kills it).
/// </summary>
internal sealed class FakeWorker : IWorkerHandle
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(30);

    private readonly TaskCompletionSource<IWorkerChannel> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<WorkerEnd> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<KillReason> _killed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FakeWorker(int slot, int processId, bool connected = true)
    {
        Info = new WorkerInfo(slot, processId);
        Channel.Posted = message =>
        {
            if (message is StopMessage && ExitsWhenStopped)
            {
                Exit(0);
            }
        };
        if (connected)
        {
            Connect();
        }
    }

    public WorkerInfo Info { get; }

    public InMemoryWorkerChannel Channel { get; } = new();

    public Task<IWorkerChannel> Connected => _connected.Task;

    public Task<WorkerEnd> Ended => _ended.Task;

    public IReadOnlyList<string> DiagnosticTail => [];

    /// <summary>
    /// How the worker ends when the master kills it: killed by SIGKILL by default; a remote worker
    /// reports <see cref="WorkerEndKind.ConnectionLost"/>; <c>null</c> leaves ending it to the test.
    /// </summary>
    public WorkerEnd? EndWhenKilled { get; set; } = new WorkerEnd(WorkerEndKind.Killed, 137, 9);

    /// <summary>Told to stop, it exits with code 0 at once, as a worker holding nothing does. Default <c>true</c>.</summary>
    public bool ExitsWhenStopped { get; set; } = true;

    /// <summary>Completes with the reason of the master's first kill.</summary>
    public Task<KillReason> Killed => _killed.Task;

    public bool IsDisposed { get; private set; }

    public void Kill(KillReason reason)
    {
        _killed.TrySetResult(reason);
        if (EndWhenKilled is { } end)
        {
            End(end);
        }
    }

    public ValueTask DisposeAsync()
    {
        IsDisposed = true;
        return ValueTask.CompletedTask;
    }

    /// <summary>The channel connects now (workers made with <c>connected: false</c>).</summary>
    public void Connect() => _connected.TrySetResult(Channel);

    /// <summary>Connecting fails with <paramref name="error"/>; the worker ends as one that never came up.</summary>
    public void FailConnecting(Exception error)
    {
        _connected.TrySetException(error);
        End(new WorkerEnd(WorkerEndKind.LaunchFailed, null, null));
    }

    /// <summary>The worker is gone: its channel ends, then the handle reports <paramref name="end"/>.</summary>
    public void End(WorkerEnd end)
    {
        Channel.End();
        _ended.TrySetResult(end);
    }

    /// <summary>The worker exits by itself with <paramref name="code"/>.</summary>
    public void Exit(int code) => End(new WorkerEnd(WorkerEndKind.Exited, code, null));

    /// <summary>The link drops without a goodbye, as a remote worker's does.</summary>
    public void LoseConnection() => End(new WorkerEnd(WorkerEndKind.ConnectionLost, null, null));

    /// <summary>Reads its start message and says it is ready.</summary>
    public async Task BootAsync()
    {
        await Channel.ReceiveAsync<StartMessage>();
        Channel.Send(new ReadyMessage(WireProtocol.Version, Info.ProcessId ?? 0));
    }

    /// <summary>The next item the master hands it.</summary>
    public Task<ItemMessage> NextItemAsync() => Channel.ReceiveAsync<ItemMessage>();

    /// <summary>Reports <paramref name="item"/> performed, with <paramref name="result"/>.</summary>
    public void Succeed<TResult>(ItemMessage item, TResult result, TimeSpan? elapsed = null) =>
        Channel.Send(new ResultMessage(item.Id, (elapsed ?? TimeSpan.FromMilliseconds(1)).Ticks, Serialization.SerializeItem(result)));

    /// <summary>Performs every item the master sends (result 0) until it is told to stop; returns how many.</summary>
    public async Task<int> ServeAsync()
    {
        int served = 0;
        while (await Channel.ReceiveAsync<Message>() is var next and not StopMessage)
        {
            if (next is ItemMessage item)
            {
                Succeed(item, 0);
                served++;
            }
        }

        return served;
    }

    /// <summary>Waits for the master's first kill.</summary>
    public Task<KillReason> KilledAsync() => Killed.WaitAsync(s_patience);

    /// <summary>Waits until the worker has ended.</summary>
    public Task<WorkerEnd> EndedAsync() => Ended.WaitAsync(s_patience);
}
