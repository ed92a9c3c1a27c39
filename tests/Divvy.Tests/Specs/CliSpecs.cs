using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Divvy.Tests.Support;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary>The <c>divvy</c> command, run for real.</summary>
[Collection(ProcessCollection.Name)]
public sealed class CliSpecs
{
    [Fact]
    public async Task I_can_run_DanceParty_with_five_workers_from_the_divvy_command()
    {
        await using ProcessRun run = DivvyCommand("-n", "5", Artifacts.DancePartyDll, "20");

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        run.Stdout.Should().Contain("Generating 20 ticket codes");
        var tickets = run.Stdout.Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        tickets.Select(t => int.Parse(t[1])).Should().BeEquivalentTo(Enumerable.Range(1, 20));
        tickets.Select(t => t[0]).Distinct().Should().HaveCount(5);
        run.Stderr.Should().ContainSingle(l => l.StartsWith("divvy: run completed: 20 dispatched, 20 succeeded"));
    }

    [Fact]
    public async Task Arguments_after_the_assembly_go_to_the_job_even_when_they_look_like_options()
    {
        await using ProcessRun run = DivvyCommand("--job", "EchoJob", "-n", "2", Artifacts.JobsDll, "7", "-n", "9");

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        run.Lines("result ").Should().HaveCount(7, "the job got '7 -n 9', divvy kept -n 2");
        run.Lines("result ").Select(l => Fields(l)["worker"]).Distinct().Should().HaveCountLessThanOrEqualTo(2);
    }

    [Fact]
    public async Task The_exit_code_is_1_when_any_item_failed()
    {
        await using ProcessRun run = DivvyCommand("-n", "2", "--job", "Divvy.Tests.Jobs.ThrowJob", Artifacts.JobsDll, "6");

        (await run.WaitAsync()).Should().Be(1);

        run.Stderr.Should().Contain(l => l.Contains("item 3 failed on worker") && l.Contains("System.InvalidOperationException: item 3 is a multiple of three"));
    }

    [Theory]
    [InlineData(new string[0], 3, 4)]
    [InlineData(new[] { "--retries", "0" }, 1, 0)]
    public async Task A_job_run_by_divvy_keeps_the_defaults_it_declares_flags_override_them_and_its_end_of_run_hook_runs(string[] flags, int attemptsOfAFailingItem, int retries)
    {
        // RecordJob's Configure asks for 2 retries; items 2 and 4 always fail.
        await using ProcessRun run = DivvyCommand([.. flags, "-n", "2", "--job", "RecordJob", Artifacts.JobsDll, "4", "0", "0", "2"]);

        (await run.WaitAsync()).Should().Be(1, run.AllStderr);

        run.Lines("configured").Should().ContainSingle("Configure runs in the master only, once");
        run.Stdout.Should().Contain(l => l.StartsWith($"final item=2 status=Failed attempts={attemptsOfAFailingItem} "));
        run.Lines("completed ").Should().ContainSingle().Which.Should().Be($"completed results=4 dispatched=4 notperformed=0 retries={retries} reason=Completed");
    }

    [Fact]
    public async Task Verbose_logs_the_worker_lifecycle_to_stderr_and_leaves_stdout_to_the_job()
    {
        await using ProcessRun run = DivvyCommand("-v", "-n", "2", "--job", "EchoJob", Artifacts.JobsDll, "4");

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        run.Stderr.Should().Contain(l => l.Contains("spawned")).And.Contain(l => l.Contains("exited: exit code 0"));
        run.Stdout.Should().OnlyContain(l => l.StartsWith("result "));
    }

    [Fact]
    public async Task Workers_that_fail_to_boot_end_the_command_with_exit_code_8()
    {
        await using ProcessRun run = DivvyCommand("-n", "2", "--job", "BootFailJob", Artifacts.JobsDll);

        (await run.WaitAsync()).Should().Be(8);

        run.Stderr.Should().Contain(l => l.StartsWith("divvy: workers keep dying before completing any item") && l.Contains("(--max-boot-failures)"), "the limit is named as a divvy user sets it");
        run.Stderr.Should().NotContain(l => l.Contains("AfterSpawn failed"), "the cause is said once, in the master's block, not again by every worker");
        run.Stderr.Where(l => !l.StartsWith("boot-fail job:")).Should().HaveCountLessThanOrEqualTo(6, "one early warning, then one block: " + run.AllStderr);
    }

    [Fact]
    public async Task An_item_that_cannot_be_serialized_is_one_line_naming_its_type_and_the_fix()
    {
        await using ProcessRun run = DivvyCommand("-n", "2", "--job", "UnserializableJob", Artifacts.JobsDll);

        (await run.WaitAsync()).Should().Be(9, run.AllStderr);

        run.Stderr.Where(l => l.StartsWith("divvy: ")).Should().ContainSingle(run.AllStderr)
            .Which.Should().Be("divvy: cannot serialize an item of type Divvy.Tests.Jobs.Parcel for a worker: mark Parcel [MessagePackObject] with [Key(0)], [Key(1)]... on the members to send, or use primitives, strings, arrays and collections of them");
    }

    public static TheoryData<string[], int, string> BadInput => new()
    {
        { ["missing.dll"], 3, "divvy: job assembly not found: missing.dll" },
        { ["README.md"], 4, "divvy: not a .NET assembly: README.md" },
        { ["@library"], 5, "divvy: no job type in" },
        { ["@jobs"], 6, "job types in" },
        { ["--job", "NoConstructorJob", "@jobs"], 7, "has no usable constructor" },
        { ["--job", "NoSuchJob", "@jobs"], 5, "no job type named 'NoSuchJob'" },
        { ["-n", "1025", "@jobs"], 2, "-n/--workers must be between 0 and 1024, got 1025" },
        { ["-n", "-3", "@jobs"], 2, "got -3" },
        { ["-n", "many", "@jobs"], 2, "got 'many'" },
        { ["--max-frame-size", "12", "@jobs"], 2, "--max-frame-size must be between 1K and 1G, got 12" },
        { [], 2, "missing the job assembly" },
        { ["--retries", "-1", "@jobs"], 2, "--retries must be between 0 and 1000, got -1" },
        { ["--timeout", "soon", "@jobs"], 2, "--timeout must be a duration such as 500ms, 30s, 5m or 2h, got 'soon'" },
        { ["--halt", "sometimes", "@jobs"], 2, "--halt: 'sometimes' is not a halt policy" },
        { ["--max-worker-memory", "10", "@jobs"], 2, "--max-worker-memory must be at least 1M, got 10" },
        { ["--max-items-per-worker", "0", "@jobs"], 2, "--max-items-per-worker must be at least 1, got 0" },
        { ["--poison-after", "0", "@jobs"], 2, "--poison-after must be between 1 and 100, got 0" },
        { ["--retry-delay", "10s", "--retry-max-delay", "1s", "@jobs"], 2, "--retry-max-delay must be at least --retry-delay (10s), got 1s" },
        { ["--heartbeat", "1s", "--heartbeat-timeout", "500ms", "@jobs"], 2, "--heartbeat-timeout must be longer than --heartbeat (1s), got 500ms" },
        { ["--metrics-host", "0.0.0.0", "@jobs"], 2, "--metrics-host needs --dashboard (or --metrics-port)" },
        { ["--bogus", "@jobs"], 2, "unknown option '--bogus'" },
        { ["@apphost"], 4, "not a .NET assembly: @apphost; did you mean @apphost.dll?" },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task Bad_input_gets_one_clear_line_and_a_distinct_exit_code(string[] args, int exitCode, string message)
    {
        string[] resolved = args.Select(Resolve).ToArray();
        await using ProcessRun run = DivvyCommand(resolved);

        (await run.WaitAsync()).Should().Be(exitCode, run.AllStderr);

        run.Stderr.Should().NotBeEmpty();
        run.Stderr[0].Should().StartWith("divvy: ").And.Contain(message.Replace("@apphost", Artifacts.DancePartyAppHost));
        run.Stderr.Skip(1).Should().BeSubsetOf(["Try 'divvy --help' for more information."], "each bad input is one line");
        run.Stdout.Should().BeEmpty("stdout belongs to the job; divvy speaks on stderr");
        run.AllStderr.Should().NotContain("   at ", "no stack trace for bad input");
    }

    private static string Resolve(string arg) => arg switch
    {
        "@jobs" => Artifacts.JobsDll,
        "@library" => Artifacts.LibraryDll,
        "@apphost" => Artifacts.DancePartyAppHost,
        _ => arg,
    };

    [Fact]
    public async Task A_metrics_port_in_use_is_a_set_up_error_not_the_jobs_failure()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        int port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        await using ProcessRun run = DivvyCommand(["-n", "1", "--metrics-port", port.ToString(CultureInfo.InvariantCulture), .. Job("EchoJob", "2")]);

        (await run.WaitAsync()).Should().Be(2, run.AllStderr);
        run.Stderr.Should().Equal($"divvy: cannot listen on 127.0.0.1:{port}: address already in use");
        run.Stdout.Should().BeEmpty("no worker started");
    }

    [Theory]
    [InlineData("192.0.2.1", "cannot assign requested address")]
    [InlineData("not a host", "give an address of this machine, such as 127.0.0.1 or 0.0.0.0")]
    public async Task A_metrics_host_divvy_cannot_listen_on_is_a_set_up_error(string host, string reason)
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        string port = ((IPEndPoint)probe.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        probe.Stop();

        // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine; nothing is sent anywhere.
        await using ProcessRun run = DivvyCommand(["-n", "1", "--metrics-port", port, "--metrics-host", host, .. Job("EchoJob", "2")]);

        (await run.WaitAsync()).Should().Be(2, run.AllStderr);
        string endpoint = host.Contains(':') ? $"[{host}]:{port}" : $"{host}:{port}";
        run.Stderr.Should().ContainSingle().Which.Should().StartWith($"divvy: cannot listen on {endpoint}: ").And.Contain(reason).And.NotContain("the job failed");
    }

    [Fact]
    public async Task The_summary_counts_in_proper_English()
    {
        await using ProcessRun run = DivvyCommand(["-n", "1", "--retries", "1", "--retry-delay", "10ms", .. Job("ThrowJob", "3")]);

        (await run.WaitAsync()).Should().Be(1);

        string summary = run.Stderr.Single(l => l.StartsWith("divvy: run "));
        summary.Should().Contain("1 retry;").And.Contain("1 worker spawned").And.Contain("0 worker crashes");
    }

    [Fact]
    public async Task A_timed_out_item_is_said_to_have_timed_out()
    {
        await using ProcessRun run = DivvyCommand(["-n", "1", "--timeout", "300ms", .. Job("TimeoutJob", "honour", "2")]);

        (await run.WaitAsync()).Should().Be(1);

        run.Stderr.Should().Contain(l => l.StartsWith("divvy: item 1 timed out on worker 1"));
        run.AllStderr.Should().NotContainEquivalentOf("timedout");
    }

    [Fact]
    public async Task I_can_run_latency_bound_items_four_at_a_time_in_each_of_two_workers_with_per_worker()
    {
        await using ProcessRun run = DivvyCommand(["-n", "2", "--per-worker", "4", .. Job("SleepJob", "16", "300")]);

        (await run.WaitAsync(TimeSpan.FromSeconds(120))).Should().Be(0, run.AllStderr);

        run.Lines("result ").Select(l => int.Parse(Fields(l)["item"], CultureInfo.InvariantCulture)).Should().BeEquivalentTo(Enumerable.Range(1, 16), "every item is performed and reported once");
        run.Lines("started ").Should().HaveCount(16);
        run.Lines("result ").Select(l => Fields(l)["status"]).Should().OnlyContain(s => s == "Succeeded");

        // Workers write each line in one call to the same pipe, so stdout holds starts and ends in
        // the order they happened: the most items between them is how many ran at once.
        int running = 0;
        int mostRunning = 0;
        foreach (string line in run.Stdout)
        {
            running += line.StartsWith("started ", StringComparison.Ordinal) ? 1 : line.StartsWith("finished ", StringComparison.Ordinal) ? -1 : 0;
            mostRunning = Math.Max(mostRunning, running);
        }

        mostRunning.Should().Be(8, "two workers each run four items at once");
        foreach (int pid in run.Lines("worker ").Select(l => int.Parse(Fields(l)["pid"], CultureInfo.InvariantCulture)))
        {
            WorkerCensus.IsAlive(pid).Should().BeFalse("every worker is gone when divvy exits");
        }
    }
}
