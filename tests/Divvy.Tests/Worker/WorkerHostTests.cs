using System.IO.Pipes;
using Divvy.Framing;
using Divvy.Jobs;
using Divvy.Protocol;
using Divvy.Worker;
using MessagePack;

namespace Divvy.Tests.Worker;

/// <summary>The worker loop, driven in-process through real anonymous pipes by a hand-written master.</summary>
public sealed partial class WorkerHostTests : IDisposable
{
    private readonly AnonymousPipeServerStream _down = new(PipeDirection.Out);
    private readonly AnonymousPipeClientStream _downClient;
    private readonly AnonymousPipeServerStream _up = new(PipeDirection.In);
    private readonly AnonymousPipeClientStream _upClient;
    private readonly FrameWriter _toWorker;
    private readonly FrameReader _fromWorker;
    private readonly TaskCompletionSource<int> _exited = new();
    private readonly Queue<ResultMessage> _unreadResults = new();

    public WorkerHostTests()
    {
        _downClient = new AnonymousPipeClientStream(PipeDirection.In, _down.ClientSafePipeHandle);
        _upClient = new AnonymousPipeClientStream(PipeDirection.Out, _up.ClientSafePipeHandle);
        _toWorker = new FrameWriter(_down, 1 << 20);
        _fromWorker = new FrameReader(_up, 1 << 20);
    }

    private sealed class Divider(int resultSize = 0) : IParallelizable<int, string>
    {
        public List<WorkerInfo> Booted { get; } = [];

        public IEnumerable<int> Dispatch() => [];

        public void AfterSpawn(WorkerInfo worker) => Booted.Add(worker);

        public string Perform(int item) => resultSize > 0 ? new string('x', resultSize) : (100 / item).ToString();
    }

    private sealed class BrokenBoot : IParallelizable<int>
    {
        public IEnumerable<int> Dispatch() => [];

        public void AfterSpawn(WorkerInfo worker) => throw new TimeoutException("no database");

        public void Perform(int item)
        {
        }
    }

    private Task<int> Start(IParallelizable<int, string> job) =>
        Task.Run(() => new WorkerHost(new JobAdapter<int, string>(job), _downClient, _upClient, masterProcessId: null, _exited.SetResult).RunAsync());

    private void Send(Message message)
    {
        MessageCodec.Write(_toWorker.BeginFrame(), message);
        _toWorker.EndFrame();
        _toWorker.Flush();
    }

    /// <summary>The worker's next message; the results of a Results frame come one by one, as Result messages.</summary>
    private async Task<Message> ReceiveAsync()
    {
        if (_unreadResults.TryDequeue(out ResultMessage? queued))
        {
            return queued;
        }

        Message message = await ReceiveFrameAsync();
        if (message is ResultsMessage batch)
        {
            foreach (ResultEntry entry in batch.Results)
            {
                _unreadResults.Enqueue(new ResultMessage(entry.Id, entry.ElapsedTicks, entry.Payload));
            }

            return _unreadResults.Dequeue();
        }

        return message;
    }

    /// <summary>The worker's next frame, decoded as it came (a Results frame stays whole).</summary>
    private async Task<Message> ReceiveFrameAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        ReadOnlyMemory<byte>? frame = await _fromWorker.ReadAsync(timeout.Token);
        frame.Should().NotBeNull("the worker should have sent a message");

        // Own copies: the reader's buffer is reused by the next read.
        Message message = MessageCodec.Read(frame!.Value, ownPayloads: true);
        return message is ResultMessage r ? r with { Payload = r.Payload.ToArray() } : message;
    }

    [Fact]
    public async Task Boots_performs_in_order_reports_failures_and_stops_when_told()
    {
        var job = new Divider();
        Task<int> worker = Start(job);

        Send(new StartMessage(WireProtocol.Version, 2, 1 << 20));
        (await ReceiveAsync()).Should().Be(new ReadyMessage(WireProtocol.Version, Environment.ProcessId));
        job.Booted.Should().Equal(new WorkerInfo(2, Environment.ProcessId));

        Send(new ItemMessage(1, MessagePackSerializer.Serialize(20)));
        Send(new ItemMessage(2, MessagePackSerializer.Serialize(0)));
        Send(StopMessage.Instance);

        var result = (ResultMessage)await ReceiveAsync();
        result.Id.Should().Be(1);
        MessagePackSerializer.Deserialize<string>(result.Payload).Should().Be("5");
        var failure = (FailureMessage)await ReceiveAsync();
        failure.Id.Should().Be(2);
        failure.Error.Type.Should().Be("System.DivideByZeroException");
        failure.Failure.Should().Be(FailureKind.Retry, "an ordinary exception is worth retrying");
        failure.Error.StackTrace.Should().Contain("Perform");

        (await worker.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(WorkerExitCodes.Finished);
        _exited.Task.IsCompleted.Should().BeFalse("a stopped worker returns; it is not an emergency exit");
    }

    [Fact]
    public async Task A_Stop_that_arrives_together_with_Start_is_not_lost()
    {
        // A run that ends while a worker boots sends Stop right behind Start; both can land in
        // the worker's first read.
        MessageCodec.Write(_toWorker.BeginFrame(), new StartMessage(WireProtocol.Version, 1, 1 << 20));
        _toWorker.EndFrame();
        MessageCodec.Write(_toWorker.BeginFrame(), StopMessage.Instance);
        _toWorker.EndFrame();
        _toWorker.Flush();

        Task<int> worker = Start(new Divider());

        (await ReceiveAsync()).Should().BeOfType<ReadyMessage>();
        (await worker.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(WorkerExitCodes.Finished);
    }

    [Fact]
    public async Task A_master_speaking_another_protocol_version_is_refused_before_any_job_code_runs()
    {
        var job = new Divider();
        Task<int> worker = Start(job);

        Send(new StartMessage(WireProtocol.Version + 98, 1, 1 << 20));

        var fatal = (FatalMessage)await ReceiveAsync();
        fatal.Stage.Should().Be("protocol");
        fatal.Error.Message.Should().Be($"protocol version mismatch: the master speaks {WireProtocol.Version + 98}, this worker {WireProtocol.Version}; build the job against the same Divvy version as the master");
        (await worker.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(WorkerExitCodes.ProtocolError);
        job.Booted.Should().BeEmpty();
    }

    [Fact]
    public async Task A_first_frame_that_is_not_Start_is_a_protocol_error()
    {
        Task<int> worker = Start(new Divider());

        Send(StopMessage.Instance);

        ((FatalMessage)await ReceiveAsync()).Error.Message.Should().Be("the master's first message was not Start");
        (await worker.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(WorkerExitCodes.ProtocolError);
    }

    [Fact]
    public async Task A_throwing_AfterSpawn_is_reported_as_fatal_and_ends_the_worker()
    {
        Task<int> worker = Task.Run(() => new WorkerHost(new JobAdapter<int, NoResult>(new BrokenBoot()), _downClient, _upClient, null, _exited.SetResult).RunAsync());

        Send(new StartMessage(WireProtocol.Version, 1, 1 << 20));

        var fatal = (FatalMessage)await ReceiveAsync();
        fatal.Stage.Should().Be("AfterSpawn");
        fatal.Error.ToString().Should().Be("System.TimeoutException: no database");
        (await worker.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(WorkerExitCodes.AfterSpawnFailed);
    }

    [Fact]
    public async Task When_the_pipe_ends_without_Stop_the_worker_leaves_at_once_as_orphaned()
    {
        _ = Start(new Divider());
        Send(new StartMessage(WireProtocol.Version, 1, 1 << 20));
        (await ReceiveAsync()).Should().BeOfType<ReadyMessage>();

        _down.Dispose();

        (await _exited.Task.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(WorkerExitCodes.MasterGone);
    }

    [Fact]
    public async Task A_result_over_the_frame_limit_fails_its_item_and_the_worker_goes_on()
    {
        Task<int> worker = Start(new Divider(resultSize: 4096));

        Send(new StartMessage(WireProtocol.Version, 1, 2048));
        (await ReceiveAsync()).Should().BeOfType<ReadyMessage>();
        Send(new ItemMessage(1, MessagePackSerializer.Serialize(1)));
        Send(StopMessage.Instance);

        var failure = (FailureMessage)await ReceiveAsync();
        failure.Error.Type.Should().Be(typeof(FrameTooLargeException).FullName);
        (await worker.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(WorkerExitCodes.Finished);
    }

    private sealed class Moody : IParallelizable<string, string>
    {
        public List<string> Performed { get; } = [];

        public IEnumerable<string> Dispatch() => [];

        public bool ShouldRetry(Exception exception) => exception is not ArgumentException;

        public async ValueTask<string> PerformAsync(string item, CancellationToken cancellationToken)
        {
            Performed.Add(item);
            switch (item)
            {
                case "hang":
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                    break;
                case "block":
                    Thread.Sleep(700);
                    break;
                case "fail":
                    throw new FailItemException("bad input");
                case "argument":
                    throw new ArgumentException("never valid");
                case "retry":
                    throw new RetryItemException("busy");
                case "io":
                    throw new IOException("flaky disk");
                case "partial":
                    throw new AttemptFailedException("exit code 3", "half done");
                case "overran":
                    throw new AttemptFailedException("ran past its own limit", "half done") { TimedOut = true };
                case "wrong type":
                    throw new AttemptFailedException("exit code 3", 42);
            }

            return item.ToUpperInvariant();
        }
    }

    private Task<int> StartMoody(Moody job) =>
        Task.Run(() => new WorkerHost(new JobAdapter<string, string>(job), _downClient, _upClient, null, _exited.SetResult).RunAsync());

    [Theory]
    [InlineData("fail", (int)FailureKind.Permanent)]
    [InlineData("argument", (int)FailureKind.Permanent)]
    [InlineData("retry", (int)FailureKind.Retry)]
    [InlineData("io", (int)FailureKind.Retry)]
    [InlineData("partial", (int)FailureKind.Retry)]
    [InlineData("overran", (int)FailureKind.TimedOut)]
    public async Task Perform_says_whether_an_attempt_is_worth_retrying(string item, int expectedKind)
    {
        var expected = (FailureKind)expectedKind;
        Task<int> worker = StartMoody(new Moody());
        Send(new StartMessage(WireProtocol.Version, 1, 1 << 20));
        (await ReceiveAsync()).Should().BeOfType<ReadyMessage>();

        Send(new ItemMessage(1, MessagePackSerializer.Serialize(item)));
        Send(StopMessage.Instance);

        ((FailureMessage)await ReceiveAsync()).Failure.Should().Be(expected);
        (await worker.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(WorkerExitCodes.Finished);
    }

    [Theory]
    [InlineData("partial", "half done")]
    [InlineData("wrong type", null)]
    [InlineData("io", null)]
    public async Task A_failed_attempt_sends_the_result_it_carried_when_it_is_the_jobs_result_type(string item, string? carried)
    {
        Task<int> worker = StartMoody(new Moody());
        Send(new StartMessage(WireProtocol.Version, 1, 1 << 20));
        (await ReceiveAsync()).Should().BeOfType<ReadyMessage>();

        Send(new ItemMessage(1, MessagePackSerializer.Serialize(item)));
        Send(StopMessage.Instance);

        var failure = (FailureMessage)await ReceiveAsync();
        (failure.Result is null ? null : MessagePackSerializer.Deserialize<string>(failure.Result)).Should().Be(carried);
        (await worker.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(WorkerExitCodes.Finished);
    }

    [Fact]
    public async Task At_the_soft_deadline_the_items_token_is_cancelled_and_the_attempt_timed_out()
    {
        var job = new Moody();
        Task<int> worker = StartMoody(job);
        Send(new StartMessage(WireProtocol.Version, 1, 1 << 20, ItemTimeoutTicks: TimeSpan.FromMilliseconds(100).Ticks));
        (await ReceiveAsync()).Should().BeOfType<ReadyMessage>();

        Send(new ItemMessage(1, MessagePackSerializer.Serialize("hang")));
        Send(new ItemMessage(2, MessagePackSerializer.Serialize("fine")));
        Send(StopMessage.Instance);

        var timedOut = (FailureMessage)await ReceiveAsync();
        timedOut.Failure.Should().Be(FailureKind.TimedOut);
        timedOut.Error.Type.Should().Be("System.Threading.Tasks.TaskCanceledException");
        ((ResultMessage)await ReceiveAsync()).Id.Should().Be(2, "the worker carries on after a timed-out item");
        (await worker.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(WorkerExitCodes.Finished);
    }

    [Fact]
    public async Task Heartbeats_are_answered_even_while_Perform_blocks()
    {
        Task<int> worker = StartMoody(new Moody());
        Send(new StartMessage(WireProtocol.Version, 1, 1 << 20));
        (await ReceiveAsync()).Should().BeOfType<ReadyMessage>();

        Send(new ItemMessage(1, MessagePackSerializer.Serialize("block")));

        // Blocking, not awaiting: the blocked Perform holds a pool thread, and an awaited delay
        // could wait for the pool to grow before this test got to send its ping.
        Thread.Sleep(100);
        Send(PingMessage.Instance);

        (await ReceiveAsync()).Should().BeOfType<PongMessage>("the reader thread answers while the item loop is busy");
        ((ResultMessage)await ReceiveAsync()).Id.Should().Be(1);
        Send(StopMessage.Instance);
        (await worker.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(WorkerExitCodes.Finished);
    }

    [Fact]
    public async Task A_worker_retires_after_its_item_limit_and_performs_nothing_more()
    {
        var job = new Moody();
        Task<int> worker = StartMoody(job);
        Send(new StartMessage(WireProtocol.Version, 1, 1 << 20, MaxItems: 2));
        (await ReceiveAsync()).Should().BeOfType<ReadyMessage>();

        Send(new ItemMessage(1, MessagePackSerializer.Serialize("a")));
        Send(new ItemMessage(2, MessagePackSerializer.Serialize("b")));
        Send(new ItemMessage(3, MessagePackSerializer.Serialize("c")));

        ((ResultMessage)await ReceiveAsync()).Id.Should().Be(1);
        ((ResultMessage)await ReceiveAsync()).Id.Should().Be(2);
        (await ReceiveAsync()).Should().Be(new RetiringMessage(RecycleReason.ItemCount));
        (await worker.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(WorkerExitCodes.Finished);
        job.Performed.Should().Equal("a", "b");
        _exited.Task.IsCompleted.Should().BeFalse("retiring is not an emergency exit");
    }

    private sealed class ThreadNoting : IParallelizable<int, int>
    {
        public System.Collections.Concurrent.ConcurrentQueue<int> Threads { get; } = new();

        public IEnumerable<int> Dispatch() => [];

        public int Perform(int item)
        {
            Threads.Enqueue(Environment.CurrentManagedThreadId);
            return item * 3;
        }
    }

    [Fact]
    public async Task One_item_at_a_time_every_item_is_performed_on_the_thread_that_runs_the_loop_and_answered_in_order()
    {
        var job = new ThreadNoting();
        var host = new WorkerHost(new JobAdapter<int, int>(job), _downClient, _upClient, masterProcessId: null, _exited.SetResult);
        var exitCode = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var loop = new Thread(() => exitCode.SetResult(host.Run())) { IsBackground = true };
        loop.Start();

        Send(new StartMessage(WireProtocol.Version, 1, 1 << 20));
        (await ReceiveAsync()).Should().BeOfType<ReadyMessage>();
        for (int item = 1; item <= 3; item++)
        {
            Send(new ItemMessage(item, MessagePackSerializer.Serialize(item)));
            var result = (ResultMessage)await ReceiveAsync();
            (result.Id, MessagePackSerializer.Deserialize<int>(result.Payload)).Should().Be((item, item * 3));
        }

        Send(StopMessage.Instance);
        (await exitCode.Task.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(WorkerExitCodes.Finished);
        job.Threads.Should().HaveCount(3).And.OnlyContain(id => id == loop.ManagedThreadId, "no thread pool stands between the loop and a synchronous Perform");
    }

    public void Dispose()
    {
        _down.Dispose();
        _up.Dispose();
        _downClient.Dispose();
        _upClient.Dispose();
    }
}
