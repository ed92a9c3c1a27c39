using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Divvy.Tests.Support;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary>
/// A master that waits for workers (<c>--launcher external</c>) and workers that dial it over TCP:
/// <c>divvy worker --connect</c>, or any program started with <c>DIVVY_CONNECT</c>.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed partial class RemoteWorkerSpecs : IAsyncLifetime
{
    // Not in Support/Signals: only these specs resume a stopped process.
    private const int SIGCONT = 18;

    private readonly string _directory = Directory.CreateTempSubdirectory("divvy-remote-").FullName;
    private readonly List<ProcessRun> _started = [];

    private string TokenFile => Path.Combine(_directory, "run.token");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // Every process a spec started, killed if it still runs, whatever the spec's outcome.
        foreach (ProcessRun run in _started)
        {
            await run.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task I_can_start_a_master_that_waits_for_workers_and_two_divvy_workers_that_dial_in_perform_every_item_once()
    {
        (ProcessRun master, string address) = await StartMasterAsync(["-n", "2"], "EchoJob", "400", "5");

        ProcessRun first = Worker(address, "EchoJob");
        ProcessRun second = Worker(address, "EchoJob");

        (await master.WaitAsync()).Should().Be(0, master.AllStderr);
        (await first.WaitAsync()).Should().Be(0, first.AllStderr);
        (await second.WaitAsync()).Should().Be(0, second.AllStderr);
        var results = master.Lines("result ").Select(Fields).ToList();
        results.Select(r => int.Parse(r["item"])).Should().BeEquivalentTo(Enumerable.Range(1, 400), "every item settles exactly once");
        results.Should().OnlyContain(r => r["status"] == "Succeeded" && int.Parse(r["value"]) == 2 * int.Parse(r["item"]), "the job's arguments reached the workers from the master");
        master.Stderr.Should().Contain(l => l.StartsWith("divvy: run completed: 400 dispatched, 400 succeeded, 0 failed", StringComparison.Ordinal));
        first.Stderr.Should().Contain($"divvy worker: connected to {address}");
    }

    [Fact]
    public async Task The_token_appears_on_no_command_line_of_the_master_or_its_workers()
    {
        (ProcessRun master, string address) = await StartMasterAsync(["-n", "2"], "SleepJob", "6", "300");
        string token = File.ReadAllText(TokenFile).Trim();
        ProcessRun byFile = Worker(address, "SleepJob");
        ProcessRun byVariable = Start(Artifacts.CliDll, ["worker", "--connect", address, .. Job("SleepJob")], new Dictionary<string, string> { ["DIVVY_TOKEN"] = token });
        _started.Add(byVariable);

        foreach (ProcessRun run in new[] { master, byFile, byVariable })
        {
            string commandLine = Encoding.UTF8.GetString(File.ReadAllBytes($"/proc/{run.Pid}/cmdline")).Replace('\0', ' ');
            commandLine.Should().NotContain(token, $"pid {run.Pid} runs '{commandLine}'");
        }

        (await master.WaitAsync()).Should().Be(0, master.AllStderr);
        (await byFile.WaitAsync()).Should().Be(0, byFile.AllStderr);
        (await byVariable.WaitAsync()).Should().Be(0, byVariable.AllStderr);
    }

    [Fact]
    public async Task A_wrong_token_a_client_sending_garbage_and_one_saying_nothing_are_refused_with_one_line_each_and_the_run_still_succeeds()
    {
        (ProcessRun master, string address) = await StartMasterAsync(["-n", "1"], "EchoJob", "50", "10");
        (string host, int port) = Split(address);

        string wrongToken = Path.Combine(_directory, "wrong.token");
        File.WriteAllText(wrongToken, "this-is-not-the-run-token-0000000");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(wrongToken, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        ProcessRun impostor = Start(Artifacts.CliDll, ["worker", "--connect", address, "--token-file", wrongToken, .. Job("EchoJob")]);
        _started.Add(impostor);
        (await impostor.WaitAsync()).Should().Be(74, impostor.AllStderr);
        impostor.Stderr.Should().Equal($"divvy worker: the master at {address} refused this worker: wrong token (check --token-file / DIVVY_TOKEN_FILE / DIVVY_TOKEN)");

        using (var garbage = new TcpClient())
        {
            await garbage.ConnectAsync(host, port);
            NetworkStream stream = garbage.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: divvy\r\n\r\n"));
            await DrainAsync(stream);
        }

        using var silent = new TcpClient();
        await silent.ConnectAsync(host, port);
        await DrainAsync(silent.GetStream());

        ProcessRun worker = Worker(address, "EchoJob");
        (await master.WaitAsync()).Should().Be(0, master.AllStderr);
        (await worker.WaitAsync()).Should().Be(0, worker.AllStderr);
        master.Lines("result ").Should().HaveCount(50);
        string[] refusals = master.Stderr.Where(l => l.Contains("refused a worker connection", StringComparison.Ordinal)).ToArray();
        refusals.Should().HaveCount(3);
        refusals[0].Should().MatchRegex(@"^divvy: refused a worker connection from 127\.0\.0\.1:\d+: wrong token \(its proof does not match\)$");
        refusals[1].Should().MatchRegex(@"^divvy: refused a worker connection from 127\.0\.0\.1:\d+: not a Divvy worker: its first bytes announce a frame of \d+ bytes");
        refusals[2].Should().MatchRegex(@"^divvy: refused a worker connection from 127\.0\.0\.1:\d+: the worker did not complete the handshake within 5 s$");
    }

    [Fact]
    public async Task A_program_started_with_DIVVY_CONNECT_becomes_a_worker_of_that_master()
    {
        (ProcessRun master, string address) = await StartMasterAsync(["-n", "1"], "EchoJob", "30");

        ProcessRun program = Start(Artifacts.JobsDll, ["echo", "4"], new Dictionary<string, string> { ["DIVVY_CONNECT"] = address, ["DIVVY_TOKEN_FILE"] = TokenFile });
        _started.Add(program);

        (await master.WaitAsync()).Should().Be(0, master.AllStderr);
        (await program.WaitAsync()).Should().Be(0, program.AllStderr);
        master.Lines("result ").Select(Fields).Select(r => r["item"]).Should().HaveCount(30).And.OnlyHaveUniqueItems();
        program.Lines("summary ").Should().BeEmpty("the program served as a worker; only a master reaches the code after Run()");
    }

    [Fact]
    public async Task A_tcp_worker_refuses_to_become_a_master_itself_whether_started_by_divvy_worker_or_with_DIVVY_CONNECT()
    {
        (ProcessRun first, string firstAddress) = await StartMasterAsync(["-n", "1"], "NestedJob", "3");
        ProcessRun worker = Worker(firstAddress, "NestedJob");
        (await first.WaitAsync()).Should().Be(1, first.AllStderr);
        (await worker.WaitAsync()).Should().Be(0, worker.AllStderr);

        (ProcessRun second, string secondAddress) = await StartMasterAsync(["-n", "1"], "NestedJob", "3");
        ProcessRun program = Start(Artifacts.JobsDll, ["nested", "1"], new Dictionary<string, string> { ["DIVVY_CONNECT"] = secondAddress, ["DIVVY_TOKEN_FILE"] = TokenFile });
        _started.Add(program);
        (await second.WaitAsync()).Should().Be(1, second.AllStderr);
        (await program.WaitAsync()).Should().Be(0, program.AllStderr);

        foreach (ProcessRun master in new[] { first, second })
        {
            master.Lines("nested ").Should().HaveCount(3).And.OnlyContain(l => l.Contains("error=Divvy.WorkerSpawnException") && l.Contains("a worker never spawns workers"));
        }
    }

    [Fact]
    public async Task A_worker_beyond_the_masters_slots_is_told_so_and_exits()
    {
        (ProcessRun master, string address) = await StartMasterAsync(["-n", "1"], "SleepJob", "8", "250");
        ProcessRun first = Worker(address, "SleepJob");
        await first.WaitForStderrLineAsync("divvy worker: connected to");

        ProcessRun extra = Worker(address, "SleepJob");

        (await extra.WaitAsync()).Should().Be(75, extra.AllStderr);
        extra.Stderr.Should().Equal($"divvy worker: the master at {address} has no free worker slot (all 1 taken, its -n); this worker is not needed");
        (await master.WaitAsync()).Should().Be(0, master.AllStderr);
        (await first.WaitAsync()).Should().Be(0, first.AllStderr);
    }

    [Fact]
    public async Task With_no_worker_dialling_in_the_run_stops_after_the_connect_timeout_with_exit_code_8_and_one_clear_line()
    {
        (ProcessRun master, string address) = await StartMasterAsync(["-n", "2", "--connect-timeout", "1s"], "EchoJob", "10");

        (await master.WaitAsync()).Should().Be(8, master.AllStderr);

        master.Stderr.Where(l => !l.StartsWith("divvy: listening for workers on", StringComparison.Ordinal) && !l.StartsWith("divvy: created the token file", StringComparison.Ordinal))
            .Should().Equal($"divvy: no worker connected to {address} within 1s (--connect-timeout); start workers with: divvy worker --connect {address} --token-file FILE job.dll");
    }

    [Fact]
    public async Task A_tcp_worker_whose_master_falls_silent_leaves_after_the_heartbeat_timeout()
    {
        (ProcessRun master, string address) = await StartMasterAsync(["-n", "1", "--heartbeat", "100ms", "--heartbeat-timeout", "1s"], "SleepJob", "4", "5000");
        ProcessRun worker = Worker(address, "SleepJob");
        await worker.WaitForStderrLineAsync("divvy worker: connected to");

        // The worker's stdout comes out of the master's.
        await master.WaitForLinesAsync("started ");

        // A frozen master says nothing, and its socket stays open: only the silence tells.
        master.Signal(Signals.SIGSTOP);
        try
        {
            (await worker.WaitAsync()).Should().Be(72, worker.AllStderr);
        }
        finally
        {
            master.Signal(SIGCONT);
        }

        worker.Stderr.Should().ContainMatch($"divvy worker 1, pid {worker.Pid}: heard nothing from the master at {address} for * s (its heartbeat timeout is 1.0 s); leaving");
        master.Lines("finished ").Concat(worker.Lines("finished ")).Should().BeEmpty("the worker left in the middle of its item");
    }

    [Fact]
    public async Task When_the_master_dies_even_by_SIGKILL_its_tcp_workers_leave_at_once_even_mid_item()
    {
        (ProcessRun master, string address) = await StartMasterAsync(["-n", "1"], "SleepJob", "4", "30000");
        ProcessRun worker = Worker(address, "SleepJob");
        await master.WaitForLinesAsync("started ");

        master.Signal(Signals.SIGKILL);

        (await worker.WaitAsync()).Should().Be(72, worker.AllStderr);
        worker.Stderr.Should().Contain($"divvy worker 1, pid {worker.Pid}: the connection to the master at {address} ended; leaving");
    }

    [Fact]
    public async Task Losing_one_tcp_worker_to_SIGKILL_and_freezing_another_past_the_heartbeat_timeout_settles_every_item_exactly_once()
    {
        (ProcessRun master, string address) = await StartMasterAsync(["-n", "2", "--heartbeat", "100ms", "--heartbeat-timeout", "1s"], "SleepJob", "40", "100");
        ProcessRun killed = Worker(address, "SleepJob");
        ProcessRun frozen = Worker(address, "SleepJob");
        await WaitForStartedAsync(master, killed);
        await WaitForStartedAsync(master, frozen);

        killed.Signal(Signals.SIGKILL);
        frozen.Signal(Signals.SIGSTOP);
        ProcessRun replacement = Worker(address, "SleepJob");
        try
        {
            // Long enough for the master to write the frozen worker off and give its slot away.
            await Task.Delay(TimeSpan.FromSeconds(3));
            Worker(address, "SleepJob");
        }
        finally
        {
            frozen.Signal(SIGCONT);
        }

        (await master.WaitAsync(TimeSpan.FromSeconds(120))).Should().Be(0, master.AllStderr);
        (await frozen.WaitAsync()).Should().NotBe(0, "its connection was cut while it was frozen: it must not carry on");
        var results = master.Lines("result ").Select(Fields).ToList();
        results.Select(r => int.Parse(r["item"])).Should().BeEquivalentTo(Enumerable.Range(1, 40), "every item settles exactly once");
        results.Should().OnlyContain(r => r["status"] == "Succeeded");
        master.Stderr.Should().Contain(l => l.StartsWith("divvy: run completed: 40 dispatched, 40 succeeded, 0 failed, 0 crashed", StringComparison.Ordinal) && l.Contains(", 0 worker crashes,", StringComparison.Ordinal) && l.Contains(", 2 lost;", StringComparison.Ordinal), "the killed and the frozen worker were lost, neither counted as a crash");
        (await replacement.WaitAsync()).Should().Be(0, replacement.AllStderr);
    }

    /// <summary>Starts <c>divvy --launcher external --listen 127.0.0.1:0</c> and reads the address it prints.</summary>
    private async Task<(ProcessRun Master, string Address)> StartMasterAsync(string[] flags, string job, params string[] args)
    {
        ProcessRun master = DivvyCommand([.. flags, "--launcher", "external", "--listen", "127.0.0.1:0", "--token-file", TokenFile, .. Job(job, args)]);
        _started.Add(master);
        string line = await master.WaitForStderrLineAsync("divvy: listening for workers on ");
        return (master, ListeningOn().Match(line).Groups[1].Value);
    }

    private ProcessRun Worker(string address, string job)
    {
        ProcessRun worker = Start(Artifacts.CliDll, ["worker", "--connect", address, "--token-file", TokenFile, .. Job(job)]);
        _started.Add(worker);
        return worker;
    }

    /// <summary>Waits until <paramref name="worker"/> has started an item, as its stdout, which comes out of the master's, says.</summary>
    private static async Task WaitForStartedAsync(ProcessRun master, ProcessRun worker)
    {
        DateTime deadline = DateTime.UtcNow + DefaultTimeout;
        while (!master.Lines("started ").Any(l => l.EndsWith($" pid={worker.Pid}", StringComparison.Ordinal)))
        {
            if (DateTime.UtcNow > deadline || master.HasExited)
            {
                throw new TimeoutException($"no item started by pid {worker.Pid} on the master's stdout:\n{string.Join("\n", master.Stdout)}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Reads until the master closes the connection (it refuses within the handshake deadline).</summary>
    private static async Task DrainAsync(NetworkStream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        byte[] buffer = new byte[1024];
        try
        {
            while (await stream.ReadAsync(buffer, timeout.Token) > 0)
            {
            }
        }
        catch (IOException)
        {
            // Reset: closed just the same.
        }
    }

    private static (string Host, int Port) Split(string address)
    {
        int colon = address.LastIndexOf(':');
        return (address[..colon], int.Parse(address[(colon + 1)..]));
    }

    [GeneratedRegex(@"listening for workers on (\S+);")]
    private static partial Regex ListeningOn();
}
