using System.Text.Json;
using Divvy.Tests.Support;
using Microsoft.Data.Sqlite;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary><c>divvy exec</c>, the command runner, run for real: go-workerpool's contract, templates, failures, the run log. How runs end: <see cref="ExecStoppingSpecs"/>.</summary>
[Collection(ProcessCollection.Name)]
public sealed class ExecSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("divvy-exec-").FullName;

    internal static ProcessRun Exec(params string[] args) => Start(Artifacts.CliDll, ["exec", .. args]);

    internal static JsonElement[] Results(string json) => JsonDocument.Parse(json).RootElement.EnumerateArray().ToArray();

    internal static Dictionary<string, JsonElement> ByIdentifier(string json) => Results(json).ToDictionary(r => r.GetProperty("identifier").GetString()!);

    [Fact]
    public async Task A_go_workerpool_task_list_given_as_the_argument_prints_one_results_line_last_on_stdout()
    {
        string tasks = """
            [{"identifier":"hello","command":"echo","args":["hi","there"]},
             {"identifier":"fails","command":"sh","args":["-c","echo oops >&2; exit 3"]},
             {"identifier":"missing","command":"no-such-program-anywhere"},
             {"identifier":"shell","command":"echo $((6*7))","shell":true}]
            """;
        await using ProcessRun run = Exec("-t", "2", tasks);

        (await run.WaitAsync()).Should().Be(1, "some commands did not exit 0");

        run.Stdout.Should().ContainSingle("the results JSON is the only thing on stdout, on one line");
        var results = ByIdentifier(run.Stdout[^1]);
        results.Keys.Should().BeEquivalentTo(["hello", "fails", "missing", "shell"], "every task gets a row, even one that cannot start");
        results["hello"].GetProperty("exit_code").GetInt32().Should().Be(0);
        results["hello"].GetProperty("result_body").GetString().Should().Be("hi there\n");
        results["fails"].GetProperty("exit_code").GetInt32().Should().Be(3);
        results["fails"].GetProperty("stderr").GetString().Should().Be("oops\n");
        results["missing"].GetProperty("exit_code").GetInt32().Should().Be(127);
        results["missing"].GetProperty("error").GetString().Should().Be("command not found: no-such-program-anywhere");
        results["shell"].GetProperty("result_body").GetString().Should().Be("42\n");
        results["hello"].GetProperty("signal").ValueKind.Should().Be(JsonValueKind.Null);
        DateTimeOffset.Parse(results["hello"].GetProperty("started_at").GetString()!).Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
        results["hello"].GetProperty("duration_ms").GetDouble().Should().BePositive();
    }

    [Fact]
    public async Task Infile_and_outfile_work_as_in_go_workerpool_and_verbose_goes_to_stderr_only()
    {
        string infile = Path.Combine(_dir, "tasks.json");
        string outfile = Path.Combine(_dir, "results.json");
        File.WriteAllText(infile, JsonSerializer.Serialize(Enumerable.Range(1, 6).Select(n => new { identifier = $"job {n}", command = "echo", args = new[] { $"{n}" } })));

        await using ProcessRun run = Exec("-i", infile, "-o", outfile, "-t", "3", "--verbose");

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);
        run.Stdout.Should().BeEmpty("with --outfile nothing is printed");
        run.Stderr.Should().Contain("divvy: 6 tasks to process on 3 workers");
        run.Stderr.Should().Contain(l => l.StartsWith("divvy: job 3: exit code 0"));
        var results = ByIdentifier(File.ReadAllText(outfile));
        results.Should().HaveCount(6);
        results["job 4"].GetProperty("result_body").GetString().Should().Be("4\n");
    }

    [Fact]
    public async Task The_task_list_can_come_from_stdin()
    {
        await using ProcessRun run = StartWithInput(Artifacts.CliDll, ["exec", "-n", "2", "-"], """[{"identifier":"x","command":"echo","args":["from stdin"]}]""");

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        Results(run.Stdout[^1]).Single().GetProperty("result_body").GetString().Should().Be("from stdin\n");
    }

    [Fact]
    public async Task An_existing_go_workerpool_caller_works_with_the_binary_name_changed()
    {
        await using ProcessRun run = Start("python3", [Path.Combine(Artifacts.RepositoryRoot, "examples/exec/caller.py"), "dotnet", Artifacts.CliDll]);

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        run.Stdout.Should().Equal(Enumerable.Range(1, 8).Select(n => $"Result for job {n}: ({(n % 3 == 0 ? 1 : 0)}) job {n} ran"));
    }

    [Fact]
    public async Task A_command_template_runs_once_per_input_line_with_replacement_strings()
    {
        await using ProcessRun run = StartWithInput(Artifacts.CliDll, ["exec", "-n", "2", "--", "echo", "line", "{}", "seq", "{#}", "worker", "{%}"], "alpha\nbeta\ngamma\n");

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        var lines = run.Stdout.Select(l => l.Split(' ')).ToList();
        lines.Select(l => (l[1], l[3])).Should().BeEquivalentTo([("alpha", "1"), ("beta", "2"), ("gamma", "3")]);
        lines.Should().OnlyContain(l => l[5] == "1" || l[5] == "2");
    }

    [Fact]
    public async Task Lines_can_come_from_an_args_file_and_go_through_a_shell()
    {
        string args = Path.Combine(_dir, "args.txt");
        File.WriteAllLines(args, ["3", "4"]);

        await using ProcessRun run = Exec("-n", "2", "--args-file", args, "--shell", "--json", "echo $(({} * {}))");

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        var results = ByIdentifier(run.Stdout[^1]);
        results["3"].GetProperty("result_body").GetString().Should().Be("9\n");
        results["4"].GetProperty("result_body").GetString().Should().Be("16\n");
    }

    [Fact]
    public async Task Tagged_output_streams_every_line_with_its_task()
    {
        await using ProcessRun run = StartWithInput(Artifacts.CliDll, ["exec", "-n", "2", "--tag", "--shell", "--", "echo one {}; echo two {}"], "a\nb\n");

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        run.Stdout.Should().BeEquivalentTo(["[a] one a", "[a] two a", "[b] one b", "[b] two b"]);
    }

    [Fact]
    public async Task Twenty_tasks_writing_a_megabyte_each_never_interleave_even_when_spilled_to_disk()
    {
        string letters = "abcdefghijklmnopqrst";
        string tasks = JsonSerializer.Serialize(letters.Select(c => new { identifier = $"{c}", command = $"head -c 1000000 /dev/zero | tr '\\0' {c}", shell = true }));
        string infile = Path.Combine(_dir, "big.json");
        File.WriteAllText(infile, tasks);

        await using ProcessRun run = Exec("-n", "4", "-i", infile, "--spill-after", "64K");

        (await run.WaitAsync(TimeSpan.FromSeconds(120))).Should().Be(0, run.AllStderr);

        var results = ByIdentifier(run.Stdout[^1]);
        results.Should().HaveCount(20);
        foreach (char c in letters)
        {
            string body = results[$"{c}"].GetProperty("result_body").GetString()!;
            body.Length.Should().Be(1_000_000);
            body.Should().Match(b => b.All(x => x == c), $"task {c}'s body holds only its own output");
        }

        Directory.GetFiles(Path.GetTempPath(), "divvy-exec-*.out").Should().BeEmpty("spill files are removed once used");
    }

    [Fact]
    public async Task In_line_mode_each_tasks_output_is_printed_as_one_block()
    {
        await using ProcessRun run = StartWithInput(Artifacts.CliDll, ["exec", "-n", "4", "--shell", "--spill-after", "64K", "--", "head -c 300000 /dev/zero | tr '\\0' {}; echo"], "a\nb\nc\nd\ne\nf\n");

        (await run.WaitAsync(TimeSpan.FromSeconds(60))).Should().Be(0, run.AllStderr);

        run.Stdout.Should().HaveCount(6).And.OnlyContain(l => l.Length == 300_000 && l.Distinct().Count() == 1);
    }

    [Theory]
    [InlineData(new[] { "--", "no-such-cmd", "{}" }, "divvy exec: x: exit code 127 (command not found: no-such-cmd)")]
    [InlineData(new[] { "--shell", "--", "echo {} >&2; exit 3" }, "divvy exec: x: exit code 3")]
    [InlineData(new[] { "--shell", "--", "kill -9 $$" }, "divvy exec: x: exit code 137 (killed by signal 9)")]
    [InlineData(new[] { "--timeout", "200ms", "--shell", "--", "sleep 30; echo {}" }, "divvy exec: x: exit code 143 (timed out after 0.2 s; its process group was sent SIGTERM)")]
    public async Task In_line_mode_a_failing_command_gets_one_line_on_stderr_naming_its_line_and_exit_code(string[] args, string line)
    {
        await using ProcessRun run = StartWithInput(Artifacts.CliDll, ["exec", "-n", "1", .. args], "x\n");

        (await run.WaitAsync()).Should().Be(1);

        run.Stderr.Where(l => l.StartsWith("divvy exec: ")).Should().Equal(line);
        run.Stdout.Should().BeEmpty();
    }

    public static TheoryData<string[], string?> TwoOfFourFail => new()
    {
        { ["--shell", "--", "exit $(( {} % 2 ))"], "1\n2\n3\n4\n" },
        { [JsonSerializer.Serialize(Enumerable.Range(1, 4).Select(n => new { identifier = $"{n}", command = $"exit {n % 2}", shell = true }))], null },
        { ["--repeat", "--count", "4", "--shell", "--", "exit $(( {#} % 2 ))"], null },
    };

    [Theory]
    [MemberData(nameof(TwoOfFourFail))]
    public async Task The_verbose_summary_counts_commands_that_exited_non_zero_as_failed_in_every_mode(string[] args, string? input)
    {
        await using ProcessRun run = StartWithInput(Artifacts.CliDll, ["exec", "-v", "-n", "2", .. args], input ?? "");

        (await run.WaitAsync()).Should().Be(1);

        run.Stderr.Should().ContainSingle(l => l.StartsWith("divvy: run completed: "))
            .Which.Should().StartWith("divvy: run completed: 4 dispatched, 2 succeeded, 2 failed, ");
    }

    [Fact]
    public async Task The_run_log_records_every_run_with_its_output_lines_and_appends()
    {
        string db = Path.Combine(_dir, "run_logs.db");
        string tasks = """[{"identifier":"two lines","command":"printf","args":["first\\nsecond\\n"]},{"identifier":"complains","command":"sh","args":["-c","echo bad >&2; exit 2"]}]""";

        await using (ProcessRun first = Exec("-n", "2", "--db", db, tasks))
        {
            (await first.WaitAsync()).Should().Be(1);
        }

        await using (ProcessRun second = Exec("-n", "2", "--db", db, tasks))
        {
            (await second.WaitAsync()).Should().Be(1);
        }

        using var connection = new SqliteConnection($"Data Source={db};Pooling=False");
        connection.Open();
        Scalar(connection, "SELECT count(*) FROM runs").Should().Be(4L, "the second run appended to the first");
        Scalar(connection, "SELECT exit_code FROM runs WHERE identifier = 'complains' LIMIT 1").Should().Be(2L);
        Scalar(connection, "SELECT args FROM runs WHERE identifier = 'two lines' LIMIT 1").Should().Be("[\"first\\\\nsecond\\\\n\"]");
        Scalar(connection, "SELECT group_concat(line, '|') FROM (SELECT line FROM output JOIN runs ON runs.id = run_id WHERE identifier = 'two lines' AND stream = 'stdout' ORDER BY run_id, line_no LIMIT 2)").Should().Be("first|second");
        Scalar(connection, "SELECT line FROM output JOIN runs ON runs.id = run_id WHERE identifier = 'complains' AND stream = 'stderr' LIMIT 1").Should().Be("bad");
        Scalar(connection, "PRAGMA journal_mode").Should().Be("wal");
        Scalar(connection, "SELECT count(DISTINCT invocation) FROM runs").Should().Be(2L, "each divvy exec tags its own rows");
        Scalar(connection, "SELECT count(*) FROM runs GROUP BY invocation LIMIT 1").Should().Be(2L);
    }

    [Fact]
    public async Task The_run_log_survives_the_master_being_killed_mid_run()
    {
        string db = Path.Combine(_dir, "killed.db");
        await using (ProcessRun run = Exec("--repeat", "-n", "2", "--db", db, "--shell", "--", "echo run {#}; sleep 0.02"))
        {
            DateTime deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && CountRuns(db) < 20)
            {
                await Task.Delay(100);
            }

            run.Signal(Signals.SIGKILL);
            await run.WaitAsync(TimeSpan.FromSeconds(10));
        }

        long before = CountRuns(db);
        before.Should().BeGreaterThanOrEqualTo(20);
        using (var connection = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            connection.Open();
            Scalar(connection, "PRAGMA integrity_check").Should().Be("ok");
        }

        await using (ProcessRun again = Exec("--repeat", "--count", "3", "-n", "1", "--db", db, "true"))
        {
            (await again.WaitAsync()).Should().Be(0, again.AllStderr);
        }

        CountRuns(db).Should().Be(before + 3);
    }

    [Fact]
    public async Task A_malformed_task_field_is_one_line_naming_the_task_and_field_and_exit_code_2()
    {
        await using ProcessRun run = Exec("""[{"identifier":"a","command":"echo","timeout":"soon"}]""");

        (await run.WaitAsync()).Should().Be(2);

        run.Stderr.Should().Equal("divvy exec: task 1 ('a'): timeout must be a positive number of seconds (at most 24 days), got \"soon\"");
        run.Stdout.Should().BeEmpty();
    }

    public static TheoryData<string[], int, string> BadInput => new()
    {
        { ["[not json"], 2, "divvy exec: the task list is not valid JSON" },
        { ["""[{"identifier":"a"}]"""], 2, "divvy exec: task 1 ('a'): missing \"command\"" },
        { ["""{"command":"echo"}"""], 2, "the task list must be a JSON array" },
        { ["""[{"command":"echo","args":"x"}]"""], 2, "task 1: args must be an array of strings" },
        { ["-i", "/nonexistent/tasks.json"], 3, "divvy exec: task list file not found: /nonexistent/tasks.json" },
        { [], 2, "nothing to run" },
        { ["--count", "3", "true"], 2, "--count and --duration go with --repeat" },
        { ["--repeat"], 2, "--repeat needs a command" },
        { ["-t", "2000", "true"], 2, "-n/--workers must be between 0 and 1024, got 2000" },
        { ["--retries", "-1", "true"], 2, "--retries must be between 0 and 1000, got -1" },
        { ["--halt", "sometimes", "true"], 2, "--halt: " },
        { ["--control-token", "secret-token-123", "true"], 2, "--control-token needs --dashboard (or --metrics-port)" },
        { ["--timeout", "never", "true"], 2, "--timeout must be a duration" },
        { ["--timeout-grace", "-1s", "true"], 2, "--timeout-grace must be a duration" },
        { ["--repeat", "--duration", "600h", "true"], 2, "--duration must be a duration" },
        { ["""[{"identifier":"b","command":"echo","args":["x",1]}]"""], 2, "divvy exec: task 1 ('b'): args[1] must be a string, got 1" },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task Bad_input_gets_one_clear_line_and_an_exit_code(string[] args, int exitCode, string message)
    {
        await using ProcessRun run = StartWithInput(Artifacts.CliDll, ["exec", .. args], "");

        (await run.WaitAsync()).Should().Be(exitCode, run.AllStderr);

        run.Stderr[0].Should().Contain(message);
        run.Stdout.Should().BeEmpty();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static long CountRuns(string db)
    {
        if (!File.Exists(db))
        {
            return 0;
        }

        try
        {
            using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
            connection.Open();
            return (long)(Scalar(connection, "SELECT count(*) FROM runs") ?? 0L);
        }
        catch (SqliteException)
        {
            // Not created yet.
            return 0;
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
