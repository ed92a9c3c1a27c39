using System.Net;
using Divvy.Launching;
using Divvy.Protocol;
using Divvy.Transport;
using Divvy.Transport.Tcp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Divvy.Tests.Launching;

public sealed class ExternalWorkerLauncherTests : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(15);

    private readonly string _directory = Directory.CreateTempSubdirectory("divvy-external-").FullName;
    private readonly FakeTimeProvider _time = new();
    private readonly LineLogger _log = new();
    private readonly List<TcpSession> _sessions = [];
    private ExternalWorkerLauncher _launcher = null!;

    private string TokenFile => Path.Combine(_directory, "run.token");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (TcpSession session in _sessions)
        {
            session.Dispose();
        }

        if (_launcher is not null)
        {
            await _launcher.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_launch_returns_at_once_and_connects_when_a_worker_dials_in()
    {
        Start(workers: 2);

        IWorkerHandle handle = await _launcher.LaunchAsync(1, CancellationToken.None);
        handle.Connected.IsCompleted.Should().BeFalse("nobody has dialled yet");
        handle.Info.Should().Be(new WorkerInfo(1, null));
        TcpSession worker = await DialAsync();

        IWorkerChannel channel = await handle.Connected.WaitAsync(s_wait);
        worker.Terms.JobArguments.Should().Equal("7", "fast");
        channel.Post(PingMessage.Instance);
        var reader = new Divvy.Framing.FrameReader(worker.Connection.Stream, 1 << 20);
        MessageCodec.Read(reader.Read()!.Value).Should().Be(PingMessage.Instance);
    }

    [Fact]
    public async Task A_worker_that_dials_before_it_is_needed_waits_in_the_lobby_for_the_next_launch()
    {
        Start(workers: 1);
        await DialAsync();
        await WaitForAsync(() => _log.Lines.Any(l => l.Contains("worker connected from")));

        IWorkerHandle handle = await _launcher.LaunchAsync(1, CancellationToken.None);

        handle.Connected.IsCompletedSuccessfully.Should().BeTrue("the waiting worker takes the slot at once");
    }

    [Fact]
    public async Task A_worker_beyond_the_slots_is_turned_away_with_one_warning()
    {
        Start(workers: 1);
        await DialAsync();

        Func<Task> extra = DialAsync;

        (await extra.Should().ThrowAsync<HandshakeException>()).Which.Failure.Should().Be(HandshakeFailure.Full);

        // The master tells the worker before it logs: the line may come a moment after the refusal.
        await WaitForAsync(() => _log.Lines.Any(l => l.Contains("turned away", StringComparison.Ordinal)));
        _log.Lines.Should().ContainSingle(l => l.StartsWith("Warning turned away a worker from 127.0.0.1:", StringComparison.Ordinal) && l.EndsWith("all 1 worker slots are taken", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_worker_with_a_wrong_token_is_refused_with_one_warning_and_the_slot_stays_free()
    {
        Start(workers: 1);
        IWorkerHandle handle = await _launcher.LaunchAsync(1, CancellationToken.None);

        Func<Task> stranger = () => TcpSession.ConnectAsync("127.0.0.1", _launcher.Address.Port, TcpTokenSource.FromValue("not-the-token-at-all-0000"));

        (await stranger.Should().ThrowAsync<HandshakeException>()).Which.Failure.Should().Be(HandshakeFailure.WrongToken);
        await WaitForAsync(() => _log.Lines.Count > 0);
        _log.Lines.Should().ContainSingle().Which.Should().MatchRegex(@"^Warning refused a worker connection from 127\.0\.0\.1:\d+: wrong token \(its proof does not match\)$");
        handle.Connected.IsCompleted.Should().BeFalse();
        await DialAsync();
        await handle.Connected.WaitAsync(s_wait);
    }

    [Fact]
    public async Task With_no_worker_connected_for_the_connect_timeout_the_waiting_launch_fails_and_so_do_later_ones()
    {
        Start(workers: 2);
        IWorkerHandle handle = await _launcher.LaunchAsync(1, CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(31));

        Func<Task> connecting = () => handle.Connected.WaitAsync(s_wait);
        (await connecting.Should().ThrowAsync<WorkerConnectTimeoutException>())
            .WithMessage($"no worker connected to 127.0.0.1:{_launcher.Address.Port} within 30s (MasterOptions.ConnectTimeout); start workers with: divvy worker --connect 127.0.0.1:{_launcher.Address.Port} --token-file FILE job.dll");
        (await handle.Ended.WaitAsync(s_wait)).Kind.Should().Be(WorkerEndKind.LaunchFailed);
        Func<Task> again = async () => await _launcher.LaunchAsync(2, CancellationToken.None);
        await again.Should().ThrowAsync<WorkerConnectTimeoutException>();
    }

    [Fact]
    public async Task While_one_worker_is_connected_a_slot_may_wait_past_the_connect_timeout()
    {
        Start(workers: 2);
        IWorkerHandle first = await _launcher.LaunchAsync(1, CancellationToken.None);
        await DialAsync();
        await first.Connected.WaitAsync(s_wait);
        IWorkerHandle second = await _launcher.LaunchAsync(2, CancellationToken.None);

        _time.Advance(TimeSpan.FromMinutes(5));

        second.Connected.IsCompleted.Should().BeFalse("the run has a worker; the second slot just waits");
    }

    [Fact]
    public async Task A_killed_worker_is_cut_off_at_once_and_ends_as_a_lost_connection()
    {
        Start(workers: 1);
        IWorkerHandle handle = await _launcher.LaunchAsync(1, CancellationToken.None);
        TcpSession worker = await DialAsync();
        await handle.Connected.WaitAsync(s_wait);

        handle.Kill(KillReason.Unresponsive);

        (await handle.Ended.WaitAsync(s_wait)).Should().Be(new WorkerEnd(WorkerEndKind.ConnectionLost, null, null));
        Func<Task> read = async () =>
        {
            while (await worker.Connection.Stream.ReadAsync(new byte[64]) > 0)
            {
            }
        };
        await read.Should().ThrowAsync<IOException>("an abortive close resets the connection");
    }

    [Fact]
    public async Task A_worker_that_says_Goodbye_and_closes_has_exited_with_its_code()
    {
        Start(workers: 1);
        IWorkerHandle handle = await _launcher.LaunchAsync(1, CancellationToken.None);
        TcpSession worker = await DialAsync();
        IWorkerChannel channel = await handle.Connected.WaitAsync(s_wait);
        Task reading = Task.Run(async () =>
        {
            while (await channel.ReadBatchAsync(CancellationToken.None) is not null)
            {
            }
        });

        var writer = new Divvy.Framing.FrameWriter(worker.Connection.Stream, 1 << 20);
        MessageCodec.Write(writer.BeginFrame(), new GoodbyeMessage(0));
        writer.EndFrame();
        writer.Flush();
        worker.Connection.ShutdownSend();

        (await handle.Ended.WaitAsync(s_wait)).Should().Be(new WorkerEnd(WorkerEndKind.Exited, 0, null));
        await reading.WaitAsync(s_wait);
    }

    [Fact]
    public async Task A_slot_killed_before_any_worker_came_ends_without_a_channel()
    {
        Start(workers: 1);
        IWorkerHandle handle = await _launcher.LaunchAsync(1, CancellationToken.None);

        handle.Kill(KillReason.Shutdown);

        handle.Connected.IsCanceled.Should().BeTrue();
        (await handle.Ended).Kind.Should().Be(WorkerEndKind.ConnectionLost);
    }

    [Fact]
    public async Task A_worker_that_dials_in_after_a_waiting_slot_was_killed_goes_to_the_next_slot()
    {
        Start(workers: 2);
        IWorkerHandle killed = await _launcher.LaunchAsync(1, CancellationToken.None);
        killed.Kill(KillReason.Shutdown);
        IWorkerHandle next = await _launcher.LaunchAsync(2, CancellationToken.None);

        await DialAsync();

        await next.Connected.WaitAsync(s_wait);
        killed.Connected.IsCanceled.Should().BeTrue();
    }

    [Fact]
    public async Task A_worker_that_left_the_lobby_is_not_given_a_slot()
    {
        Start(workers: 1);
        TcpSession gone = await DialAsync();
        await WaitForAsync(() => _log.Lines.Any(l => l.Contains("worker connected from")));
        gone.Connection.Abort();
        await Task.Delay(200);

        IWorkerHandle handle = await _launcher.LaunchAsync(1, CancellationToken.None);

        handle.Connected.IsCompleted.Should().BeFalse("the slot waits for a worker that is still there");
        await DialAsync();
        await handle.Connected.WaitAsync(s_wait);
    }

    private void Start(int workers)
    {
        var options = new MasterOptions
        {
            Workers = workers,
            Launcher = WorkerLauncherKind.External,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            TokenFile = TokenFile,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            TimeProvider = _time,
            JobArguments = ["7", "fast"],
        };
        _launcher = ExternalWorkerLauncher.Start(options.Validated(), _log);
    }

    private async Task<TcpSession> DialAsync()
    {
        TcpSession session = await TcpSession.ConnectAsync("127.0.0.1", _launcher.Address.Port, TcpTokenSource.FromFile(TokenFile));
        _sessions.Add(session);
        return session;
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        DateTime deadline = DateTime.UtcNow + s_wait;
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(deadline);
            await Task.Delay(10);
        }
    }

    /// <summary>Keeps each log line as "Level message".</summary>
    private sealed class LineLogger : ILogger
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return _lines.ToArray();
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines)
            {
                _lines.Add($"{logLevel} {formatter(state, exception)}");
            }
        }
    }
}
