using System.Text.Json.Nodes;
using Divvy.Client;
using Divvy.Tests.Support;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary>
/// <c>divvy serve job.dll</c>: warm workers perform items clients send as JSON, with the run's
/// failure contract: a throwing item fails with its remote stack, a worker that dies on an item is
/// a crash charged to it, and the server carries on with a replacement.
/// </summary>
public sealed partial class ServeSpecs
{
    [Fact]
    public async Task The_jobs_workers_are_running_before_the_first_request_and_items_come_back_with_status_result_and_attempts()
    {
        string db = Path.Combine(Path.GetTempPath(), $"divvy-serve-items-{Guid.NewGuid():N}.db");
        await using ServeServerRun server = await ServeServerRun.StartAsync("-n", "2", "--retries", "2", "--retry-delay", "10ms", "--db", db, "--job", "ThrowJob", Artifacts.JobsDll);
        IReadOnlyList<int> warm = await WorkerCensus.WaitForCountAsync(server.Server.Pid, 2, TimeSpan.FromSeconds(30));
        warm.Should().HaveCount(2, "-n 2 workers start with the server, before any request");
        await using DivvyClient client = await server.ConnectAsync();
        client.Job.Should().Be("ThrowJob");

        JsonObject done = await client.PerformAsync(JsonValue.Create(4));
        JsonObject failed = await client.PerformAsync(JsonValue.Create(3));

        done["status"]!.GetValue<string>().Should().Be("Succeeded");
        done["result"]!.GetValue<string>().Should().Be("ok4");
        done["attempts"]!.GetValue<int>().Should().Be(1);
        warm.Should().Contain(done["pid"]!.GetValue<int>(), "a warm worker performed it");
        failed["status"]!.GetValue<string>().Should().Be("Failed");
        failed["attempts"]!.GetValue<int>().Should().Be(3, "divvy's own --retries 2 applies to served items");
        failed["error"]!["message"]!.GetValue<string>().Should().Be("item 3 is a multiple of three");
        failed["error"]!["stack"]!.GetValue<string>().Should().Contain("PerformAsync");
        (await client.Invoking(c => c.PerformAsync(JsonValue.Create("three"))).Should().ThrowAsync<ServeException>()).Which.Code.Should().Be("bad_request");

        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Pooling=False"))
        {
            connection.Open();
            using Microsoft.Data.Sqlite.SqliteCommand query = connection.CreateCommand();
            query.CommandText = "SELECT command || ' ' || exit_code || ' ' || coalesce(error, '-') FROM runs ORDER BY id";
            using Microsoft.Data.Sqlite.SqliteDataReader rows = query.ExecuteReader();
            var logged = new List<string>();
            while (rows.Read())
            {
                logged.Add(rows.GetString(0));
            }

            logged.Should().Equal("item of ThrowJob 0 -", "item of ThrowJob 1 Failed: item 3 is a multiple of three");
        }

        foreach (string file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(db) + "*"))
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_served_jobs_dashboard_counts_the_items_clients_sent_and_shows_its_warm_workers()
    {
        int port = FreePort.Next();
        await using ServeServerRun server = await ServeServerRun.StartAsync("-n", "2", "--dashboard", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--job", "ThrowJob", Artifacts.JobsDll);
        await using DivvyClient client = await server.ConnectAsync();
        await client.PerformAsync(JsonValue.Create(4));
        await client.PerformAsync(JsonValue.Create(3));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        JsonNode snapshot = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/api/snapshot"))!;
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); Booting(snapshot) && waited.Elapsed < TimeSpan.FromSeconds(20);)
        {
            // Both items may have gone to the first worker ready: the second one is warm soon after.
            await Task.Delay(100);
            snapshot = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/api/snapshot"))!;
        }

        snapshot["job"]!.GetValue<string>().Should().Be("ThrowJob");
        snapshot["counts"]!["succeeded"]!.GetValue<long>().Should().Be(1);
        snapshot["counts"]!["failed"]!.GetValue<long>().Should().Be(1);
        snapshot["failures"]!.AsArray().Should().ContainSingle().Which!["message"]!.GetValue<string>().Should().Be("item 3 is a multiple of three");
        snapshot["workers"]!.AsArray().Select(w => w!["state"]!.GetValue<string>()).Should().Equal("ready", "ready");
        (await http.GetStringAsync($"http://127.0.0.1:{port}/")).Should().Contain("<title>Divvy run</title>");

        static bool Booting(JsonNode snapshot) => snapshot["workers"]!.AsArray().Any(w => w!["state"]!.GetValue<string>() == "booting");
    }


    [Fact]
    public async Task A_worker_that_dies_on_an_item_is_a_crash_charged_to_it_and_the_next_item_gets_a_replacement()
    {
        await using ServeServerRun server = await ServeServerRun.StartAsync("-n", "1", "--job", "CrashJob", Artifacts.JobsDll, "0", "3", "sigkill");
        await using DivvyClient client = await server.ConnectAsync();

        JsonObject crashed = await client.PerformAsync(JsonValue.Create(3));
        JsonObject after = await client.PerformAsync(JsonValue.Create(5));

        crashed["status"]!.GetValue<string>().Should().Be("Crashed");
        crashed["exit_code"]!.GetValue<int>().Should().Be(137);
        after["status"]!.GetValue<string>().Should().Be("Succeeded");
        after["result"]!.GetValue<int>().Should().Be(5);
        after["pid"]!.GetValue<int>().Should().NotBe(crashed["pid"]!.GetValue<int>(), "a new worker took the slot of the one that died");
    }

    [Fact]
    public async Task An_item_sent_in_MessagePack_comes_back_as_MessagePack_and_bytes_that_are_no_item_are_refused()
    {
        await using ServeServerRun server = await ServeServerRun.StartAsync("-n", "1", "--job", "EchoJob", Artifacts.JobsDll);
        await using DivvyClient client = await server.ConnectAsync();

        (JsonObject exit, byte[] result) = await client.PerformMessagePackAsync(MessagePack.MessagePackSerializer.Serialize(21));

        exit["status"]!.GetValue<string>().Should().Be("Succeeded");
        MessagePack.MessagePackSerializer.Deserialize<int>(result).Should().Be(42);
        (await client.Invoking(c => c.PerformMessagePackAsync(MessagePack.MessagePackSerializer.Serialize("not an int"))).Should().ThrowAsync<ServeException>()).Which.Code.Should().Be("bad_request");

        // From a shell: one item, its result as JSON on stdout.
        await using ProcessRun shell = DivvyCommand("run", "--socket", server.Socket, "--item", "21");
        (await shell.WaitAsync()).Should().Be(0, shell.AllStderr);
        shell.Stdout.Should().Equal("42");
        await using ProcessRun wrong = DivvyCommand("run", "--socket", server.Socket, "--item", "\"x\"");
        (await wrong.WaitAsync()).Should().Be(125);
        wrong.AllStderr.Should().StartWith("divvy run: divvy serve refused the request: the item is not a Int32");
    }

    [Fact]
    public async Task A_server_with_a_job_killed_outright_leaves_neither_its_workers_nor_its_commands_running()
    {
        await using ServeServerRun server = await ServeServerRun.StartAsync("-n", "2", "--job", "EchoJob", Artifacts.JobsDll);
        IReadOnlyList<int> workers = await WorkerCensus.WaitForCountAsync(server.Server.Pid, 2, TimeSpan.FromSeconds(30));
        workers.Should().HaveCount(2);
        await using DivvyClient client = await server.ConnectAsync();
        await using RemoteProcess command = await client.StartAsync(RemoteStartInfo.ShellLine("echo $$; exec sleep 300"));
        using var lines = new StreamReader(command.StandardOutput);
        int sleeper = int.Parse((await lines.ReadLineAsync())!);

        server.Server.Signal(Signals.SIGKILL);

        (await WorkerCensus.WaitUntilNoneAsync(server.Server.Pid, TimeSpan.FromSeconds(10))).Should().BeEmpty("the job's workers leave when their master is gone");
        (await GoneAsync(sleeper)).Should().BeTrue("the command's group is killed by the server's reaper");
    }

    [Fact]
    public async Task A_commands_only_server_refuses_items_and_says_how_to_serve_a_job()
    {
        await using ServeServerRun server = await ServeServerRun.StartAsync("-n", "1");
        await using DivvyClient client = await server.ConnectAsync();

        ServeException refused = (await client.Invoking(c => c.PerformAsync(JsonValue.Create(1))).Should().ThrowAsync<ServeException>()).Which;

        refused.Code.Should().Be("no_job");
        refused.Message.Should().Contain("divvy serve job.dll");
    }
}
