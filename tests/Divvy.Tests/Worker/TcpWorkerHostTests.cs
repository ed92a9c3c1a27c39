using Divvy.Framing;
using Divvy.Jobs;
using Divvy.Protocol;
using Divvy.Tests.Transport.Tcp;
using Divvy.Transport.Tcp;
using Divvy.Worker;

namespace Divvy.Tests.Worker;

/// <summary>The worker loop over an authenticated TCP connection, driven by a hand-written master.</summary>
public sealed class TcpWorkerHostTests : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(15);

    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LoopbackPair _pair = null!;
    private FrameWriter _toWorker = null!;
    private FrameReader _fromWorker = null!;

    public async Task InitializeAsync()
    {
        _pair = await LoopbackPair.CreateAsync();
        _toWorker = new FrameWriter(_pair.Master.Stream, 1 << 20);
        _fromWorker = new FrameReader(_pair.Master.Stream, 1 << 20);
    }

    public Task DisposeAsync()
    {
        _pair.Dispose();
        return Task.CompletedTask;
    }

    private sealed class Doubler : IParallelizable<int, int>
    {
        public IEnumerable<int> Dispatch() => [];

        public int Perform(int item) => item * 2;
    }

    [Fact]
    public async Task After_Stop_a_tcp_worker_says_Goodbye_with_its_exit_code_and_leaves_once_the_master_closes()
    {
        Task<int> worker = Start(TimeSpan.FromSeconds(30));
        Send(new StartMessage(WireProtocol.Version, 1, 1 << 20));
        (await ReceiveAsync()).Should().BeOfType<ReadyMessage>();

        Send(StopMessage.Instance);

        (await ReceiveAsync()).Should().Be(new GoodbyeMessage(WorkerExitCodes.Finished));
        (await ReceiveAsync()).Should().BeNull("the worker closes its side after Goodbye");
        _pair.Master.Dispose();
        (await worker.WaitAsync(s_wait)).Should().Be(WorkerExitCodes.Finished);
        _exited.Task.IsCompleted.Should().BeFalse("a worker let go returns; it is not an emergency exit");
    }

    [Fact]
    public async Task A_tcp_worker_waiting_for_a_slot_hears_pings_and_leaves_quietly_when_the_run_ends_first()
    {
        Task<int> worker = Start(TimeSpan.FromSeconds(30));

        Send(PingMessage.Instance);
        Send(PingMessage.Instance);
        Send(StopMessage.Instance);

        (await ReceiveAsync()).Should().Be(new GoodbyeMessage(WorkerExitCodes.Finished), "pings before Start get no answer: the master's lobby only shows it is alive");
        _pair.Master.Dispose();
        (await worker.WaitAsync(s_wait)).Should().Be(WorkerExitCodes.Finished);
    }

    [Fact]
    public async Task A_tcp_worker_whose_master_says_nothing_for_the_heartbeat_timeout_leaves_as_if_the_master_were_gone()
    {
        _ = Start(TimeSpan.FromMilliseconds(300));
        Send(new StartMessage(WireProtocol.Version, 1, 1 << 20));
        (await ReceiveAsync()).Should().BeOfType<ReadyMessage>();

        // No FIN, no reset: the connection stays open and silent.
        (await _exited.Task.WaitAsync(s_wait)).Should().Be(WorkerExitCodes.MasterGone);
    }

    [Fact]
    public async Task A_tcp_worker_cut_off_by_its_master_leaves_at_once()
    {
        _ = Start(TimeSpan.FromSeconds(30));
        Send(new StartMessage(WireProtocol.Version, 1, 1 << 20));
        (await ReceiveAsync()).Should().BeOfType<ReadyMessage>();

        _pair.Master.Abort();

        (await _exited.Task.WaitAsync(s_wait)).Should().Be(WorkerExitCodes.MasterGone);
    }

    private Task<int> Start(TimeSpan heartbeatTimeout)
    {
        var session = new TcpSession(_pair.Worker, new SessionTerms([], TimeSpan.FromTicks(heartbeatTimeout.Ticks / 3), heartbeatTimeout), "127.0.0.1:7601");
        return Task.Run(() => new WorkerHost(new JobAdapter<int, int>(new Doubler()), _pair.Worker.Stream, _pair.Worker.Stream, masterProcessId: null, code => _exited.TrySetResult(code), session).RunAsync());
    }

    private void Send(Message message)
    {
        MessageCodec.Write(_toWorker.BeginFrame(), message);
        _toWorker.EndFrame();
        _toWorker.Flush();
    }

    private async Task<Message?> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(s_wait);
        return await _fromWorker.ReadAsync(timeout.Token) is { } frame ? MessageCodec.Read(frame, ownPayloads: true) : null;
    }
}
