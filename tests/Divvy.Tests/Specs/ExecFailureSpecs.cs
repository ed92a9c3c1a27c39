using System.Text.Json;
using Divvy.Tests.Support;
using static Divvy.Tests.Specs.ExecSpecs;

namespace Divvy.Tests.Specs;

/// <summary>
/// <c>divvy exec</c> on the core's failure model: a command that exits non-zero, is killed or times
/// out is a failed attempt, retried, halted on and counted as any item's, with divvy's own options.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ExecFailureSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("divvy-exec-fail-").FullName;

    /// <summary>A shell command that counts its runs in <paramref name="counter"/>, prints the count and succeeds from run <paramref name="succeedsAt"/> on.</summary>
    private static string Counting(string counter, int succeedsAt) =>
        $"n=$(cat '{counter}' 2>/dev/null || echo 0); n=$((n + 1)); echo $n > '{counter}'; echo attempt $n; [ $n -ge {succeedsAt} ]";

    private static string OneTask(string identifier, string shellCommand) =>
        JsonSerializer.Serialize(new[] { new { identifier, command = shellCommand, shell = true } });

    [Fact]
    public async Task A_command_that_fails_twice_is_retried_with_backoff_and_its_row_shows_the_third_attempt()
    {
        string counter = Path.Combine(_dir, "count");

        await using ProcessRun run = Exec("-n", "1", "--retries", "2", "--retry-delay", "10ms", OneTask("flaky", Counting(counter, succeedsAt: 3)));

        (await run.WaitAsync()).Should().Be(0, "the third attempt exited 0: " + run.AllStderr);
        JsonElement row = Results(run.Stdout[^1]).Single();
        row.GetProperty("exit_code").GetInt32().Should().Be(0);
        row.GetProperty("result_body").GetString().Should().Be("attempt 3\n", "the row is the last attempt's");
        row.GetProperty("attempts").GetInt32().Should().Be(3);
        row.GetProperty("error").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task A_command_out_of_retries_fails_with_its_last_attempts_output_and_the_run_log_records_the_attempts()
    {
        string counter = Path.Combine(_dir, "count");
        string db = Path.Combine(_dir, "runs.db");

        await using ProcessRun run = Exec("-n", "1", "--retries", "1", "--retry-delay", "10ms", "--db", db, OneTask("stubborn", Counting(counter, succeedsAt: 99)));

        (await run.WaitAsync()).Should().Be(1, run.AllStderr);
        JsonElement row = Results(run.Stdout[^1]).Single();
        row.GetProperty("exit_code").GetInt32().Should().Be(1);
        row.GetProperty("result_body").GetString().Should().Be("attempt 2\n");
        row.GetProperty("attempts").GetInt32().Should().Be(2);
        run.Stderr.Should().BeEmpty("in task-list mode a failure is in its row: without -v nothing is said on stderr");
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Pooling=False");
        connection.Open();
        using var query = connection.CreateCommand();
        query.CommandText = "SELECT exit_code || '|' || attempts FROM runs";
        query.ExecuteScalar().Should().Be("1|2", "one row per task: its last attempt, with the number of attempts");
    }

    [Fact]
    public async Task The_spilled_output_of_an_attempt_that_was_retried_is_removed_with_the_rest()
    {
        string counter = Path.Combine(_dir, "count");
        string[] spillDirectories = SpillDirectories();

        await using ProcessRun run = Exec("-n", "1", "--retries", "1", "--retry-delay", "10ms", "--spill-after", "64K", OneTask("big", $"head -c 200000 /dev/zero | tr '\\0' x; {{ {Counting(counter, succeedsAt: 2)}; }} > /dev/null"));

        (await run.WaitAsync(TimeSpan.FromSeconds(60))).Should().Be(0, run.AllStderr);
        JsonElement row = Results(run.Stdout[^1]).Single();
        row.GetProperty("attempts").GetInt32().Should().Be(2);
        row.GetProperty("result_body").GetString()!.Length.Should().Be(200_000);
        SpillDirectories().Should().BeEquivalentTo(spillDirectories, "the run's spill directory, with the first attempt's spilled output, is gone");
        Directory.GetFiles(Path.GetTempPath(), "divvy-exec-*.out").Should().BeEmpty();
    }

    private static string[] SpillDirectories() => Directory.GetDirectories(Path.GetTempPath(), "divvy-exec-spill-*");

    [Fact]
    public async Task A_command_waiting_for_its_retry_when_the_run_is_interrupted_keeps_its_last_attempts_row()
    {
        string counter = Path.Combine(_dir, "count");
        await using ProcessRun run = Exec("-v", "-n", "1", "--retries", "3", "--retry-delay", "30s", OneTask("waits", Counting(counter, succeedsAt: 99)));
        DateTime deadline = DateTime.UtcNow.AddSeconds(60);
        while (!run.Stderr.Any(l => l.Contains(" retrying in ", StringComparison.Ordinal)))
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the first attempt should have failed: " + run.AllStderr);
            await Task.Delay(50);
        }

        run.Signal(Signals.SIGINT);

        (await run.WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(130, run.AllStderr);
        JsonElement row = Results(run.Stdout[^1]).Single();
        row.GetProperty("exit_code").GetInt32().Should().Be(1);
        row.GetProperty("result_body").GetString().Should().Be("attempt 1\n");
        row.GetProperty("attempts").GetInt32().Should().Be(1);
        row.GetProperty("error").GetString().Should().Be("the run stopped before its retry");
    }

    [Fact]
    public async Task A_command_that_cannot_start_is_not_retried()
    {
        await using ProcessRun run = Exec("-n", "1", "--retries", "3", """[{"identifier":"missing","command":"no-such-program-anywhere"}]""");

        (await run.WaitAsync()).Should().Be(1, run.AllStderr);
        JsonElement row = Results(run.Stdout[^1]).Single();
        row.GetProperty("exit_code").GetInt32().Should().Be(127);
        row.GetProperty("attempts").GetInt32().Should().Be(1);
    }

    [Fact]
    public async Task Halt_now_stops_the_run_at_the_first_failing_command()
    {
        string tasks = JsonSerializer.Serialize(new[] { new { identifier = "t1", command = "exit 3", shell = true } }
            .Concat(Enumerable.Range(2, 30).Select(n => new { identifier = $"t{n}", command = "sleep 0.2", shell = true })));

        await using ProcessRun run = Exec("-v", "-n", "1", "--halt", "now,fail=1", tasks);

        (await run.WaitAsync(TimeSpan.FromSeconds(60))).Should().Be(1, run.AllStderr);
        var results = ByIdentifier(run.Stdout[^1]);
        results.Should().HaveCount(31, "every task still gets its row");
        results["t1"].GetProperty("exit_code").GetInt32().Should().Be(3);
        results.Values.Count(r => r.GetProperty("error").GetString() is { } e && e.StartsWith("not performed")).Should().BeGreaterThan(20, "the run stopped at the first failure");
        run.Stderr.Should().ContainSingle(l => l.StartsWith("divvy: run halted ("));
    }

    [Fact]
    public async Task Halt_now_kills_the_commands_in_hand_with_their_whole_group()
    {
        string pidFile = Path.Combine(_dir, "bg.pid");
        string marker = Path.Combine(_dir, "started");
        string tasks = JsonSerializer.Serialize(new[]
        {
            new { identifier = "long", command = $"sleep 300 & echo $! > '{pidFile}'; touch '{marker}'; wait", shell = true },
            new { identifier = "fails", command = $"while [ ! -e '{marker}' ]; do sleep 0.05; done; exit 3", shell = true },
        });

        await using ProcessRun run = Exec("-n", "2", "--max-prefetch", "1", "--halt", "now,fail=1", tasks);

        (await run.WaitAsync(TimeSpan.FromSeconds(60))).Should().Be(1, run.AllStderr);
        var results = ByIdentifier(run.Stdout[^1]);
        results["fails"].GetProperty("exit_code").GetInt32().Should().Be(3);
        results["long"].GetProperty("exit_code").GetInt32().Should().Be(-1, "its worker was killed while it ran: " + results["long"]);
        int background = int.Parse(File.ReadAllText(pidFile).Trim());
        DateTime gone = DateTime.UtcNow.AddSeconds(5);
        while (WorkerCensus.IsAlive(background) && DateTime.UtcNow < gone)
        {
            await Task.Delay(50);
        }

        WorkerCensus.IsAlive(background).Should().BeFalse("the command's background sleep went with its worker");
    }

    [Fact]
    public async Task The_end_of_run_report_counts_failed_commands_and_their_retries()
    {
        await using ProcessRun run = StartWithInputExec(["-v", "-n", "2", "--retries", "1", "--retry-delay", "10ms", "--shell", "--", "exit $(( {} % 2 ))"], "1\n2\n3\n4\n");

        (await run.WaitAsync()).Should().Be(1, run.AllStderr);

        run.Stderr.Should().ContainSingle(l => l.StartsWith("divvy: run completed: "))
            .Which.Should().StartWith("divvy: run completed: 4 dispatched, 2 succeeded, 2 failed, 0 crashed, 0 timed out, 0 quarantined, 0 not performed, 2 retries;");
        run.Stderr.Should().Contain(l => l.StartsWith("divvy: durations: p50 "), "the report is the master's own, as divvy prints it");
        run.Stderr.Should().ContainSingle(l => l.StartsWith("divvy: slowest: ")).Which.Should().MatchRegex(@"item \d \([1-4]\)", "the slowest commands are named by their line");
        run.Stderr.Where(l => l.StartsWith("divvy exec: ")).Should().HaveCount(2).And.OnlyContain(l => l.Contains(": exit code 1 after 2 attempts in "), "each failing command's line names its attempts");
    }

    [Fact]
    public async Task The_run_timeout_stops_a_hanging_commands_whole_group_and_is_a_timed_out_attempt()
    {
        string pidFile = Path.Combine(_dir, "grandchild.pid");

        await using ProcessRun run = Exec("-v", "-n", "1", "--timeout", "500ms", "--timeout-grace", "1s", OneTask("hangs", $"sleep 300 & echo $! > '{pidFile}'; wait"));

        (await run.WaitAsync(TimeSpan.FromSeconds(60))).Should().Be(1, run.AllStderr);
        JsonElement row = Results(run.Stdout[^1]).Single();
        row.GetProperty("exit_code").GetInt32().Should().Be(143, "SIGTERM, sent to the whole group, ended the shell");
        row.GetProperty("error").GetString().Should().Be("timed out after 0.5 s; its process group was sent SIGTERM");
        row.GetProperty("attempts").GetInt32().Should().Be(1);
        run.Stderr.Should().ContainSingle(l => l.StartsWith("divvy: run completed: ")).Which.Should().Contain(" 0 failed, 0 crashed, 1 timed out,").And.Contain(" 0 killed at timeout", "the worker stopped the command itself and lived on");
        WorkerCensus.IsAlive(int.Parse(File.ReadAllText(pidFile).Trim())).Should().BeFalse("the sleep in the background was in the command's process group");
    }

    [Fact]
    public async Task A_command_that_ignores_SIGTERM_past_the_run_timeout_is_killed_with_its_group_after_the_grace()
    {
        string pidFile = Path.Combine(_dir, "stubborn.pid");

        await using ProcessRun run = Exec("-n", "1", "--timeout", "300ms", "--timeout-grace", "300ms", "--retries", "1", "--retry-delay", "10ms", OneTask("stubborn", $"trap '' TERM; sleep 300 & echo $! >> '{pidFile}'; wait"));

        (await run.WaitAsync(TimeSpan.FromSeconds(60))).Should().Be(1, run.AllStderr);
        JsonElement row = Results(run.Stdout[^1]).Single();
        row.GetProperty("signal").GetInt32().Should().Be(9);
        row.GetProperty("error").GetString().Should().Be("timed out after 0.3 s; its process group was killed (SIGKILL) 0.3 s after SIGTERM");
        row.GetProperty("attempts").GetInt32().Should().Be(2, "a timed-out attempt is retried like any failed one");
        File.ReadAllLines(pidFile).Should().HaveCount(2).And.OnlyContain(pid => !WorkerCensus.IsAlive(int.Parse(pid)), "each attempt's background sleep went with its group");
    }

    [Fact]
    public async Task The_metrics_endpoint_counts_failed_commands()
    {
        string tasks = JsonSerializer.Serialize(Enumerable.Range(1, 4).Select(n => new { identifier = $"t{n}", command = $"exit $(( {n} % 2 ))", shell = true }));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        for (int attempt = 1; ; attempt++)
        {
            int port = FreePort.Next();
            await using ProcessRun run = Exec("-n", "2", "--metrics-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--metrics-linger", "20s", tasks);
            string text = "";
            DateTime deadline = DateTime.UtcNow.AddSeconds(60);
            while (!text.Contains("divvy_items_succeeded_total 2\n", StringComparison.Ordinal) && !run.HasExited)
            {
                DateTime.UtcNow.Should().BeBefore(deadline, $"the counters should settle; last scrape:\n{text}\nstderr:\n{run.AllStderr}");
                try
                {
                    text = PrometheusText.WithoutScope(await http.GetStringAsync($"http://127.0.0.1:{port}/metrics"));
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    // Not listening yet.
                }

                await Task.Delay(100);
            }

            if (run.HasExited && attempt < 3 && (await run.WaitAsync()) == 2 && run.AllStderr.Contains("cannot listen", StringComparison.Ordinal))
            {
                // Another process took the port between the check and the bind: try another.
                continue;
            }

            text.Should().Contain("divvy_items_failed_total{status=\"failed\"} 2\n", "commands that exited 1 are failed items: " + run.AllStderr);
            run.Signal(Signals.SIGINT);
            await run.WaitAsync(TimeSpan.FromSeconds(30));
            return;
        }
    }

    [Fact]
    public async Task Forced_progress_counts_failed_commands_as_divvy_does()
    {
        await using ProcessRun run = StartWithInputExec(["--progress", "-n", "2", "--shell", "--", "exit $(( {} % 2 ))"], "1\n2\n3\n4\n");

        (await run.WaitAsync()).Should().Be(1, run.AllStderr);

        run.Stderr.Should().Contain(l => l.StartsWith("divvy: progress: 4 done / 4 dispatched, 2 failed, 0 in flight", StringComparison.Ordinal), run.AllStderr);
    }

    [Fact]
    public async Task Workers_running_commands_are_recycled_after_their_item_limit()
    {
        string tasks = JsonSerializer.Serialize(Enumerable.Range(1, 6).Select(n => new { identifier = $"t{n}", command = "echo", args = new[] { $"{n}" } }));

        await using ProcessRun run = Exec("-v", "-n", "1", "--max-items-per-worker", "2", tasks);

        (await run.WaitAsync(TimeSpan.FromSeconds(60))).Should().Be(0, run.AllStderr);
        ByIdentifier(run.Stdout[^1]).Should().HaveCount(6);
        run.Stderr.Should().ContainSingle(l => l.StartsWith("divvy: run completed: ")).Which.Should().MatchRegex(@" [1-9]\d* recycled", "a worker that performed its two commands made way for a new one");
    }

    private static ProcessRun StartWithInputExec(string[] args, string input) => ProcessRun.StartWithInput(Artifacts.CliDll, ["exec", .. args], input);

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
