using System.Net.Sockets;
using System.Text;
using Divvy.Client;
using Divvy.Tests.Support;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary>The server's own life: one per socket, stopped by a signal or --stop with a drain, killed outright without leaving a command behind, and unharmed by a client that speaks nonsense.</summary>
public sealed partial class ServeSpecs
{
    [Fact]
    public async Task A_second_server_on_the_same_socket_is_refused_with_the_first_ones_pid()
    {
        await using ServeServerRun server = await ServeServerRun.StartAsync("-n", "1");

        await using ProcessRun second = DivvyCommand("serve", "--socket", server.Socket);

        (await second.WaitAsync()).Should().Be(2);
        second.AllStderr.Should().Be($"divvy serve: another server is running on {server.Socket} (pid {server.Server.Pid}); stop it with: divvy serve --stop --socket {server.Socket}");
        await using DivvyClient client = await server.ConnectAsync();
        (await client.RunAndCaptureTextAsync("echo", ["first still serves"])).StandardOutput.Should().Be("first still serves\n");
    }

    [Fact]
    public async Task A_server_killed_outright_leaves_no_command_running()
    {
        await using ServeServerRun server = await ServeServerRun.StartAsync("-n", "2");
        await using DivvyClient client = await server.ConnectAsync();
        await using RemoteProcess process = await client.StartAsync(RemoteStartInfo.ShellLine("sleep 300 & echo $!; echo $$; wait"));
        using var lines = new StreamReader(process.StandardOutput, Encoding.UTF8);
        int[] pids = [int.Parse((await lines.ReadLineAsync())!), int.Parse((await lines.ReadLineAsync())!)];

        server.Server.Signal(Signals.SIGKILL);

        foreach (int pid in pids)
        {
            (await GoneAsync(pid)).Should().BeTrue($"pid {pid} was a command of a server that died (its lifeline watcher kills the group)");
        }
    }

    [Fact]
    public async Task SIGTERM_lets_running_commands_finish_refuses_new_ones_and_exits_143()
    {
        await using ServeServerRun server = await ServeServerRun.StartAsync("-n", "2");
        await using DivvyClient client = await server.ConnectAsync();
        await using RemoteProcess running = await client.StartAsync(new RemoteStartInfo("sh", ["-c", "sleep 1; echo finished"]) { RedirectStandardInput = false });
        await running.Started;

        server.Server.Signal(Signals.SIGTERM);
        await server.Server.WaitForStderrLineAsync("divvy serve: stopping");
        await using RemoteProcess late = await client.StartAsync(new RemoteStartInfo("true"));

        (await late.Invoking(p => p.WaitForExitAsync()).Should().ThrowAsync<ServeException>()).Which.Code.Should().Be("shutting_down");
        (await running.CommunicateAsync()).StandardOutput.Should().Be("finished\n");
        (await running.WaitForExitAsync()).ExitCode.Should().Be(0);
        (await server.Server.WaitAsync()).Should().Be(143);
        File.Exists(server.Socket).Should().BeFalse("the socket goes with the server");
    }

    [Fact]
    public async Task Status_and_stop_from_the_command_line()
    {
        await using ServeServerRun server = await ServeServerRun.StartAsync("-n", "3");

        await using ProcessRun status = DivvyCommand("serve", "--status", "--socket", server.Socket);
        (await status.WaitAsync()).Should().Be(0);
        status.Stdout.Single().Should().Contain("\"slots\":3").And.Contain($"\"pid\":{server.Server.Pid}");

        await using ProcessRun stop = DivvyCommand("serve", "--stop", "--socket", server.Socket);
        (await stop.WaitAsync()).Should().Be(0);
        (await server.Server.WaitAsync()).Should().Be(0);
    }

    [Fact]
    public async Task A_client_sending_a_wrong_preface_or_a_malformed_frame_is_closed_with_one_error_and_other_clients_carry_on()
    {
        await using ServeServerRun server = await ServeServerRun.StartAsync("-n", "2");
        await using DivvyClient good = await server.ConnectAsync();
        await using RemoteProcess running = await good.StartAsync(new RemoteStartInfo("sh", ["-c", "sleep 0.5; echo ok"]) { RedirectStandardInput = false });

        (await RawAsync(server.Socket, "GET / HTTP/1.1\r\n\r\n"u8.ToArray())).Should().Contain("\"code\":\"bad_preface\"");
        (await RawAsync(server.Socket, [.. "DIVVY/1\n"u8, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0, 0, 0, 0])).Should().Contain("\"code\":\"malformed\"");

        (await running.CommunicateAsync()).StandardOutput.Should().Be("ok\n");
        server.Server.Stderr.Should().Contain(l => l.StartsWith("divvy serve: a client sent a malformed frame", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Divvy_run_streams_stdin_and_output_and_exits_with_the_commands_code()
    {
        await using ServeServerRun server = await ServeServerRun.StartAsync("-n", "1");

        await using ProcessRun run = StartWithInput(Artifacts.CliDll, ["run", "--socket", server.Socket, "--", "sh", "-c", "tr a-z A-Z; echo to-stderr >&2; exit 5"], "hello\n");

        (await run.WaitAsync()).Should().Be(5);
        run.Stdout.Should().Equal("HELLO");
        run.Stderr.Should().Equal("to-stderr");

        await using ProcessRun missing = DivvyCommand("run", "--socket", Path.Combine(server.Directory, "nobody.sock"), "--", "true");
        (await missing.WaitAsync()).Should().Be(125);
        missing.AllStderr.Should().StartWith("divvy run: cannot talk to divvy serve at ");
    }

    [Fact]
    public async Task Every_command_is_logged_to_the_db_run_log_that_divvy_exec_writes()
    {
        string db = Path.Combine(Path.GetTempPath(), $"divvy-serve-log-{Guid.NewGuid():N}.db");
        try
        {
            await using (ServeServerRun server = await ServeServerRun.StartAsync("-n", "2", "--db", db))
            {
                await using DivvyClient client = await server.ConnectAsync();
                await client.RunAndCaptureTextAsync("sh", ["-c", "exit 3"]);
                await using RemoteProcess slow = await client.StartAsync(new RemoteStartInfo("sleep", ["10"]) { Timeout = TimeSpan.FromMilliseconds(200), RedirectStandardInput = false });
                await slow.WaitForExitAsync();
                await client.RunAndCaptureTextAsync("no-such-program-divvy");
            }

            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Pooling=False");
            connection.Open();
            using Microsoft.Data.Sqlite.SqliteCommand query = connection.CreateCommand();
            query.CommandText = "SELECT command, args, exit_code, signal, error FROM runs ORDER BY id";
            using Microsoft.Data.Sqlite.SqliteDataReader rows = query.ExecuteReader();
            var logged = new List<string>();
            while (rows.Read())
            {
                logged.Add($"{rows.GetString(0)} {rows.GetString(1)} {rows.GetInt32(2)} {(rows.IsDBNull(3) ? "-" : rows.GetInt32(3))} {(rows.IsDBNull(4) ? "-" : rows.GetString(4))}");
            }

            logged.Should().Equal(
                "sh [\"-c\",\"exit 3\"] 3 - -",
                "sleep [\"10\"] 143 15 timeout",
                "no-such-program-divvy [] 127 - command not found: no-such-program-divvy");
        }
        finally
        {
            foreach (string file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(db) + "*"))
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>Sends raw bytes and returns everything the server answers until it closes.</summary>
    private static async Task<string> RawAsync(string socketPath, byte[] bytes)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        await socket.SendAsync(bytes);
        using var stream = new NetworkStream(socket);
        using var answer = new MemoryStream();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await stream.CopyToAsync(answer, deadline.Token);
        return Encoding.UTF8.GetString(answer.ToArray());
    }
}
