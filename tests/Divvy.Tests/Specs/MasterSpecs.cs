using Divvy.Tests.Support;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary>A job run in code with <c>new Master(job, n).Run()</c>, in real processes (the jobs assembly).</summary>
[Collection(ProcessCollection.Name)]
public sealed partial class MasterSpecs
{
    [Fact]
    public async Task I_can_run_a_job_with_five_workers_and_every_item_is_performed_once()
    {
        // Items of 10 ms: long enough that every worker has booted before the work runs out.
        await using ProcessRun run = JobsRun("echo", 5, "300", "10");

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        var results = run.Lines("result ").Select(Fields).ToList();
        results.Select(r => int.Parse(r["item"])).Should().BeEquivalentTo(Enumerable.Range(1, 300), "every item settles exactly once");
        results.Should().OnlyContain(r => r["status"] == "Succeeded" && int.Parse(r["value"]) == 2 * int.Parse(r["item"]));
        results.Select(r => r["pid"]).Distinct().Should().HaveCount(5, "five workers, five distinct processes");
        results.Select(r => r["worker"]).Distinct().Should().BeEquivalentTo(["1", "2", "3", "4", "5"]);
        run.Summary().Should().Contain(new Dictionary<string, string>
        {
            ["dispatched"] = "300", ["succeeded"] = "300", ["failed"] = "0", ["crashed"] = "0", ["notperformed"] = "0", ["spawned"] = "5", ["reason"] = "Completed",
        });
    }

    [Fact]
    public async Task Thousands_of_tiny_items_are_each_performed_exactly_once()
    {
        await using ProcessRun run = JobsRun("echo", 2, "20000");

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        run.Lines("result ").Select(l => int.Parse(Fields(l)["item"])).Should().BeEquivalentTo(Enumerable.Range(1, 20000));
        run.Summary()["succeeded"].Should().Be("20000");
    }

    [Fact]
    public async Task A_run_with_fewer_items_than_workers_starts_only_the_workers_it_needs()
    {
        await using ProcessRun run = JobsRun("echo", 8, "1");

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        run.Summary()["spawned"].Should().Be("1");
        run.Lines("result ").Should().ContainSingle();
    }

    [Fact]
    public async Task A_job_that_dispatches_nothing_starts_no_worker_and_completes()
    {
        await using ProcessRun run = JobsRun("echo", 4, "0");

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        run.Summary().Should().Contain(new Dictionary<string, string> { ["dispatched"] = "0", ["spawned"] = "0", ["reason"] = "Completed" });
    }

    [Fact]
    public async Task Hooks_run_in_the_right_process_and_in_the_right_order()
    {
        string directory = Directory.CreateTempSubdirectory("divvy-hooks-").FullName;
        string log = Path.Combine(directory, "hooks");
        try
        {
            await using ProcessRun run = JobsRun("hooks", 3, log, "9");
            (await run.WaitAsync()).Should().Be(0, run.AllStderr);

            string[] lines = Directory.GetFiles(directory).SelectMany(File.ReadAllLines)
                .Select(l => l.Split(' ', 2)).OrderBy(p => long.Parse(p[0])).Select(p => p[1]).ToArray();
            string master = run.Pid.ToString();
            lines.Where(l => l.StartsWith("dispatch ")).Should().ContainSingle().Which.Should().Be($"dispatch {master}");

            var before = lines.Where(l => l.StartsWith("before ")).Select(l => l.Split(' ')).ToList();
            before.Should().HaveCount(3).And.OnlyContain(f => f[2] == master && f[3] == "none", "BeforeSpawn runs in the master, before the pid exists");

            var after = lines.Where(l => l.StartsWith("after ")).Select(l => l.Split(' ')).ToList();
            after.Should().HaveCount(3).And.OnlyContain(f => f[2] != master && f[2] == f[3], "AfterSpawn runs in the worker and knows its own pid");
            foreach (string[] hook in after)
            {
                int afterAt = Array.IndexOf(lines, string.Join(' ', hook));
                Array.FindIndex(lines, l => l == $"before {hook[1]} {master} none").Should().BeLessThan(afterAt, "a worker's BeforeSpawn precedes its AfterSpawn");
                lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("perform ") && x.l.EndsWith($" {hook[2]}"))
                    .Should().OnlyContain(x => x.i > afterAt, "a worker performs nothing before its AfterSpawn");
            }

            lines.Where(l => l.StartsWith("perform ")).Should().HaveCount(9).And.OnlyContain(l => !l.EndsWith($" {master}"), "Perform runs in workers only");
            lines.Where(l => l.StartsWith("result ")).Should().HaveCount(9).And.OnlyContain(l => l.Split(' ')[2] == master, "OnResult runs in the master");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_throwing_Perform_fails_its_item_with_type_message_and_stack_and_the_worker_carries_on()
    {
        await using ProcessRun run = JobsRun("throw", 2, "12");

        (await run.WaitAsync()).Should().Be(1, "the run had failed items");

        var failed = run.Lines("result ").Select(Fields).Where(r => r["status"] == "Failed").ToList();
        failed.Select(r => r["item"]).Should().BeEquivalentTo(["3", "6", "9", "12"]);
        failed.Should().OnlyContain(r => r["error"] == "System.InvalidOperationException");
        run.Lines("error ").Should().Contain("error item=3 message=item 3 is a multiple of three hasStack=True");
        run.Summary().Should().Contain(new Dictionary<string, string> { ["succeeded"] = "8", ["failed"] = "4", ["crashes"] = "0", ["spawned"] = "2" });
    }

    [Theory]
    [InlineData("exit", 42)]
    [InlineData("failfast", 134)]
    [InlineData("sigkill", 137)]
    public async Task A_worker_that_dies_mid_item_is_reported_with_the_item_it_held_and_is_replaced(string how, int exitCode)
    {
        await using ProcessRun run = JobsRun("crash", 2, "16", "4", how);

        (await run.WaitAsync()).Should().Be(1, run.AllStderr);

        var results = run.Lines("result ").Select(Fields).ToList();
        results.Select(r => int.Parse(r["item"])).Should().BeEquivalentTo(Enumerable.Range(1, 16), "no item is lost or repeated");
        var crashed = results.Should().ContainSingle(r => r["status"] == "Crashed").Which;
        crashed["item"].Should().Be("4");
        crashed["exit"].Should().Be(exitCode.ToString());
        run.Lines("spawn ").Should().HaveCount(3, "BeforeSpawn runs again for the replacement");
        run.Summary().Should().Contain(new Dictionary<string, string> { ["succeeded"] = "15", ["crashed"] = "1", ["crashes"] = "1", ["spawned"] = "3" });
    }

    [Fact]
    public async Task Workers_that_keep_dying_at_boot_stop_the_run_with_one_block_naming_the_cause_the_workers_and_their_stderr_once()
    {
        await using ProcessRun run = Start(Artifacts.JobsDll, ["bootfail", "2", "5"], new Dictionary<string, string> { ["JOBS_LOG"] = "1" });

        (await run.WaitAsync()).Should().Be(3);

        run.Lines("error ").Should().ContainSingle().Which.Should().StartWith("error BootFailureException workers keep dying before completing any item");
        string[] block = run.Stderr.SkipWhile(l => !l.StartsWith("workers keep dying", StringComparison.Ordinal))
            .TakeWhile((l, i) => i == 0 || l.StartsWith("  ", StringComparison.Ordinal)).ToArray();
        block[0].Should().Be("workers keep dying before completing any item: 3 in a row (MasterOptions.MaxBootFailures), so the run stopped: System.InvalidOperationException: database unreachable");
        block[1].Should().MatchRegex(@"^  workers 1-2 \(pids \d+, \d+, \d+\) exited with code 70 before completing an item$", "three deaths of one cause are one line");
        block[2].Should().MatchRegex(@"^  worker \d, pid \d+, the last to die, wrote to stderr:$");
        block.Skip(3).Should().OnlyContain(l => l.StartsWith("    | ", StringComparison.Ordinal)).And.Contain(l => l.Contains("boot-fail job: worker"));
        block.Length.Should().BeLessThanOrEqualTo(3 + 20, "the stderr tail is quoted once, not once per worker");
        run.Stderr.Count(l => l.Contains("| boot-fail job: worker", StringComparison.Ordinal)).Should().Be(1);

        var warnings = run.Lines("log level=Warning ");
        warnings.Should().ContainSingle("the first death at boot is worth a warning, the rest are in the exception")
            .Which.Should().MatchRegex("died before completing an item: exit code 70: System.InvalidOperationException: database unreachable$");
    }

    [Theory]
    [InlineData("cancel")]
    [InlineData("sigint")]
    public async Task Stopping_a_run_reports_every_dispatched_item_to_OnResult_once_and_marks_the_ones_never_performed(string how)
    {
        // 3,000 items of 50 ms on two workers: the dispatch queue is full long before the stop, and
        // Dispatch has yielded one more item that waits for room in it.
        await using ProcessRun run = how == "cancel" ? JobsRun("record", 2, "3000", "50", "3") : JobsRun("record", 2, "3000", "50");
        if (how == "sigint")
        {
            await run.WaitForLinesAsync("final ", 3);
            run.Signal(Signals.SIGINT);
        }

        (await run.WaitAsync()).Should().Be(1, run.AllStderr);

        var summary = run.Summary();
        summary["reason"].Should().Be(how == "cancel" ? "Cancelled" : "Interrupted");
        long dispatched = long.Parse(summary["dispatched"]);
        var finals = run.Lines("final ").Select(Fields).ToList();
        finals.Select(f => int.Parse(f["item"])).Should().BeEquivalentTo(Enumerable.Range(1, (int)dispatched), "every dispatched item reaches OnResult exactly once");
        run.Lines("yielded ").Select(l => int.Parse(Fields(l)["item"])).Should().BeEquivalentTo(Enumerable.Range(1, (int)dispatched), "every item Dispatch yielded counts as dispatched, the one it held when the run stopped too");
        var notPerformed = finals.Where(f => f["status"] == "NotPerformed").ToList();
        notPerformed.Should().HaveCount(int.Parse(summary["notperformed"])).And.HaveCountGreaterThan(100, "what the queue held is dropped, not run");
        notPerformed.Should().OnlyContain(f => f["attempts"] == "0" && f["worker"] == "0");
        var performed = run.Lines("performed ").Select(l => Fields(l)["item"]).ToHashSet();
        notPerformed.Should().OnlyContain(f => !performed.Contains(f["item"]), "an item reported as not performed never ran");
        finals.Where(f => f["status"] != "NotPerformed").Should().OnlyContain(f => f["status"] == "Succeeded");

        string completed = run.Lines("completed ").Should().ContainSingle().Subject;
        Fields(completed)["results"].Should().Be(summary["dispatched"], "OnCompleted runs after the last OnResult");
        run.Stdout.ToList().IndexOf(completed).Should().BeGreaterThan(run.Stdout.ToList().FindLastIndex(l => l.StartsWith("final ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_job_declares_its_default_options_in_Configure_and_reports_the_run_in_OnCompleted()
    {
        // Item 7 always fails; Configure allows 2 retries, so it is tried three times.
        await using ProcessRun run = JobsRun("record", 1, "8", "0", "0", "7");

        (await run.WaitAsync()).Should().Be(1, run.AllStderr);

        run.Lines("configured").Should().ContainSingle("Configure runs in the master, never in workers");
        run.Lines("final ").Select(Fields).Single(f => f["item"] == "7").Should().Contain(new Dictionary<string, string> { ["status"] = "Failed", ["attempts"] = "3" });
        Fields(run.Lines("completed ").Should().ContainSingle().Subject).Should().Contain(new Dictionary<string, string>
        {
            ["results"] = "8", ["dispatched"] = "8", ["retries"] = "2", ["reason"] = "Completed",
        });
    }

    [Fact]
    public async Task An_exception_in_OnCompleted_is_thrown_by_Run_after_every_result()
    {
        await using ProcessRun run = JobsRun("record", 1, "3", "0", "0", "0", "throw");

        (await run.WaitAsync()).Should().Be(4);

        run.Lines("final ").Should().HaveCount(3);
        run.Lines("completed ").Should().ContainSingle();
        run.Lines("error ").Should().ContainSingle().Which.Should().Be("error InvalidOperationException the report could not be written");
    }

    [Theory]
    [InlineData(Signals.SIGINT)]
    [InlineData(Signals.SIGQUIT)]
    public async Task Ctrl_C_sends_no_new_items_lets_items_in_hand_finish_and_reports_the_rest(int signal)
    {
        await using ProcessRun run = JobsRun("sleep", 2, "20", "1500");
        await run.WaitForLinesAsync("started ", 2);

        run.Signal(signal);

        (await run.WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(1);
        run.Lines("finished ").Should().HaveCount(2, "the items in hand finish");
        run.Lines("started ").Should().HaveCount(2, "no new item starts after Ctrl-C");
        run.Summary().Should().Contain(new Dictionary<string, string> { ["succeeded"] = "2", ["crashed"] = "0", ["reason"] = "Interrupted" });
        var summary = run.Summary();
        long.Parse(summary["dispatched"]).Should().Be(2 + long.Parse(summary["notperformed"]), "the summary accounts for what was not done");
    }

    [Fact]
    public async Task A_second_Ctrl_C_forces_the_stop()
    {
        await using ProcessRun run = JobsRun("sleep", 2, "20", "20000");
        await run.WaitForLinesAsync("started ", 2);

        run.Signal(Signals.SIGINT);
        await Task.Delay(300);
        run.Signal(Signals.SIGINT);

        (await run.WaitAsync(TimeSpan.FromSeconds(15))).Should().Be(1);
        run.Lines("finished ").Should().BeEmpty();
        run.Summary().Should().Contain(new Dictionary<string, string> { ["succeeded"] = "0", ["reason"] = "Terminated" });
    }

    [Fact]
    public async Task SIGTERM_kills_the_workers_at_once()
    {
        await using ProcessRun run = JobsRun("sleep", 2, "10", "20000");
        await run.WaitForLinesAsync("started ", 2);
        int[] workers = run.Lines("worker ").Select(l => int.Parse(Fields(l)["pid"])).ToArray();

        run.Signal(Signals.SIGTERM);

        (await run.WaitAsync(TimeSpan.FromSeconds(15))).Should().Be(1);
        run.Lines("finished ").Should().BeEmpty("items in hand are not finished on SIGTERM");
        run.Summary().Should().Contain(new Dictionary<string, string> { ["succeeded"] = "0", ["crashed"] = "0", ["reason"] = "Terminated" });
        workers.Should().OnlyContain(pid => !WorkerCensus.IsAlive(pid));
    }

    [Fact]
    public async Task Killing_the_master_with_SIGKILL_leaves_no_worker_behind_even_one_busy_in_Perform()
    {
        await using ProcessRun run = JobsRun("sleep", 3, "10", "60000");
        await run.WaitForLinesAsync("started ", 3);
        WorkerCensus.LiveWorkersOf(run.Pid).Should().HaveCount(3);

        run.Signal(Signals.SIGKILL);

        IReadOnlyList<int> left = await WorkerCensus.WaitUntilNoneAsync(run.Pid, TimeSpan.FromSeconds(3));
        left.Should().BeEmpty("workers notice their master is gone within about a second");
    }

    [Fact]
    public async Task A_10_MiB_item_round_trips_intact()
    {
        await using ProcessRun run = JobsRun("large", 2, "3", (10 * 1024 * 1024).ToString());

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        string[] sent = run.Lines("sent ").Select(l => Fields(l)["sha"]).ToArray();
        var back = run.Lines("back ").Select(Fields).ToList();
        back.Should().HaveCount(3).And.OnlyContain(b => b["status"] == "Succeeded");
        back.Select(b => b["value"].Split(':')[1]).Should().BeEquivalentTo(sent);
        back.Should().OnlyContain(b => b["value"].StartsWith($"{10 * 1024 * 1024}:"));
    }

    [Fact]
    public async Task MessagePackObject_items_and_results_travel_both_ways()
    {
        await using ProcessRun run = JobsRun("orders", 2, "6");

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        var invoices = run.Lines("invoice ").Select(Fields).ToList();
        invoices.Select(i => i["order"]).Should().BeEquivalentTo(["1", "2", "3", "4", "5", "6"]);
        invoices.Should().OnlyContain(i => i["customer"] == $"customer-{i["order"]}" && decimal.Parse(i["total"]) == int.Parse(i["order"]) + 10.5m);
        invoices.Should().OnlyContain(i => i["pid"] != run.Pid.ToString(), "Perform ran in a worker");
    }

    [Fact]
    public async Task An_item_over_the_frame_limit_fails_alone_and_the_run_goes_on()
    {
        await using ProcessRun run = Start(Artifacts.JobsDll, ["large", "2", "2", (2 * 1024 * 1024).ToString()], new Dictionary<string, string> { ["JOBS_MAX_FRAME"] = (1024 * 1024).ToString() });

        (await run.WaitAsync()).Should().Be(1);

        run.Lines("back ").Should().HaveCount(2).And.OnlyContain(l => l.Contains("status=Failed") && l.Contains("over the maximum frame size of 1,048,576 bytes"));
        run.Summary().Should().Contain(new Dictionary<string, string> { ["failed"] = "2", ["crashes"] = "0" });
    }

    [Fact]
    public async Task An_item_that_cannot_be_serialized_fails_at_the_first_dispatch_in_one_line_naming_its_type_and_what_to_do()
    {
        await using ProcessRun run = Start(Artifacts.JobsDll, ["unserializable", "2"], new Dictionary<string, string> { ["JOBS_LOG"] = "1" });

        (await run.WaitAsync()).Should().Be(3);

        run.Lines("error ").Should().ContainSingle().Which.Should().Be(
            "error ItemSerializationException cannot serialize an item of type Divvy.Tests.Jobs.Parcel for a worker: " +
            "mark Parcel [MessagePackObject] with [Key(0)], [Key(1)]... on the members to send, or use primitives, strings, arrays and collections of them");
        run.Lines("log ").Should().NotContain(l => l.Contains("Dispatch threw"), "an unserializable item is not Dispatch's failure, and the exception says it once");
        run.Lines("performed").Should().BeEmpty();
    }

    [Theory]
    [InlineData("async")]
    [InlineData("sync")]
    public async Task A_throwing_Dispatch_stops_the_run_with_its_exception_after_accepted_items_settle(string mode)
    {
        // "sync" throws before any worker can have booted: its items must still be performed.
        await using ProcessRun run = JobsRun("dispatchthrows", 2, "4", mode);

        (await run.WaitAsync()).Should().Be(4);

        run.Lines("error ").Should().ContainSingle().Which.Should().Be("error FormatException the input file is corrupt at line 5");
        run.Lines("result ").Select(Fields).Should().HaveCount(4).And.OnlyContain(r => r["status"] == "Succeeded");
    }

    [Fact]
    public async Task A_worker_refuses_to_spawn_workers_of_its_own()
    {
        await using ProcessRun run = JobsRun("nested", 1, "2");

        (await run.WaitAsync()).Should().Be(1);

        run.Lines("nested ").Should().HaveCount(2).And.OnlyContain(l => l.Contains("error=Divvy.WorkerSpawnException") && l.Contains("a worker never spawns workers"));
        run.Summary()["spawned"].Should().Be("1");
    }

    [Fact]
    public async Task A_master_nested_too_deep_under_other_Divvy_processes_refuses_to_spawn()
    {
        await using ProcessRun run = Start(Artifacts.JobsDll, ["echo", "2", "5"], new Dictionary<string, string> { ["DIVVY_SPAWN_DEPTH"] = "4" });

        (await run.WaitAsync()).Should().Be(3);

        run.Lines("error ").Should().ContainSingle().Which.Should().Contain("WorkerSpawnException refusing to launch workers: this master is nested 4 levels deep");
        WorkerCensus.LiveWorkersOf(run.Pid).Should().BeEmpty();
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("v1;master=1;worker=1;down=5;up=6")]
    public async Task A_process_with_an_unusable_worker_marker_is_neither_a_worker_nor_a_master(string marker)
    {
        await using ProcessRun run = Start(Artifacts.JobsDll, ["echo", "2", "5"], new Dictionary<string, string> { ["DIVVY_INTERNAL_WORKER_CHANNEL"] = marker });

        (await run.WaitAsync()).Should().Be(73);

        run.Lines("result ").Should().BeEmpty("it must not run the job as a master");
        run.AllStderr.Should().StartWith("divvy: ");
    }

    [Fact]
    public async Task DanceParty_runs_by_its_own_Main_as_an_apphost_with_five_workers()
    {
        await using ProcessRun run = Start(Artifacts.DancePartyAppHost, ["12"]);

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        run.Stdout.Should().Contain("Generating 12 ticket codes");
        var tickets = run.Stdout.Where(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 3).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        tickets.Select(t => int.Parse(t[1])).Should().BeEquivalentTo(Enumerable.Range(1, 12));
        tickets.Select(t => t[0]).Distinct().Should().HaveCount(5);
        tickets.Should().Contain(t => t[1] == "1" && t[2] == "356a192b7913b04c54574d18c28d46e6395428ab", "ticket 1's code is sha1(\"1\")");
    }
}
