using System.Text.RegularExpressions;
using Divvy.Tests.Support;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary>Outcomes, retries, timeouts, poison, recycling, heartbeats and halting, through the divvy command.</summary>
[Collection(ProcessCollection.Name)]
public sealed partial class ResilienceSpecs : IDisposable
{
    private readonly string _markers = Directory.CreateTempSubdirectory("divvy-flaky-").FullName;

    /// <summary>Reads a count out of the summary line, e.g. <c>Count(run, "recycled")</c>.</summary>
    private static long Count(ProcessRun run, string what)
    {
        string line = run.Stderr.Single(l => l.StartsWith("divvy: run "));
        Match match = Regex.Match(line, $@"(\d+) {Regex.Escape(what)}(?![A-Za-z])");
        match.Success.Should().BeTrue($"the summary names '{what}': {line}");
        return long.Parse(match.Groups[1].Value);
    }

    private static List<Dictionary<string, string>> Finals(ProcessRun run) => run.Lines("final ").Select(Fields).ToList();

    [Fact]
    public async Task A_failed_attempt_is_retried_and_then_succeeds()
    {
        await using ProcessRun run = DivvyCommand(["-n", "2", "--retries", "2", "--retry-delay", "20ms", .. Job("FlakyJob", _markers, "4", "1")]);

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        Finals(run).Should().HaveCount(4).And.OnlyContain(f => f["status"] == "Succeeded" && f["attempts"] == "2");
        var attempts = run.Lines("attempt ").Select(Fields).ToList();
        attempts.Where(a => a["n"] == "1").Should().HaveCount(4).And.OnlyContain(a => a["outcome"] == "Retry" && a["delay"] != "none" && a["error"] == "System.IO.IOException");
        attempts.Where(a => a["n"] == "2").Should().HaveCount(4).And.OnlyContain(a => a["outcome"] == "Succeeded" && a["delay"] == "none");
        Count(run, "retries").Should().Be(4);
    }

    [Fact]
    public async Task A_FailItemException_is_not_retried_and_retries_run_out_for_the_rest()
    {
        await using ProcessRun run = DivvyCommand(["-n", "2", "--retries", "2", "--retry-delay", "10ms", .. Job("FlakyJob", _markers, "5", "9")]);

        (await run.WaitAsync()).Should().Be(1);

        var finals = Finals(run).ToDictionary(f => f["item"]);
        finals["5"]["status"].Should().Be("Failed");
        finals["5"]["attempts"].Should().Be("1", "a permanent failure is never retried");
        finals.Where(f => f.Key != "5").Should().OnlyContain(f => f.Value["status"] == "Failed" && f.Value["attempts"] == "3", "1 attempt + 2 retries, then the item fails");
        Directory.GetFiles(_markers, "5.*").Should().ContainSingle();
    }

    [Fact]
    public async Task The_last_attempt_of_an_item_whose_retries_ran_out_is_a_failure_not_a_retry()
    {
        await using ProcessRun run = DivvyCommand(["-n", "2", "--retries", "2", "--retry-delay", "10ms", .. Job("FlakyJob", _markers, "4", "9")]);

        (await run.WaitAsync()).Should().Be(1);

        var attempts = run.Lines("attempt ").Select(Fields).ToList();
        attempts.Should().HaveCount(12, "1 attempt + 2 retries for each of 4 items");
        attempts.Where(a => a["n"] != "3").Should().OnlyContain(a => a["outcome"] == "Retry" && a["delay"] != "none", "a retry follows these");
        attempts.Where(a => a["n"] == "3").Should().HaveCount(4).And.OnlyContain(a => a["outcome"] == "Failed" && a["delay"] == "none", "no retry follows the last attempt");
        Finals(run).Should().HaveCount(4).And.OnlyContain(f => f["status"] == "Failed" && f["attempts"] == "3");
    }

    [Fact]
    public async Task The_backoff_between_retries_grows()
    {
        await using ProcessRun run = DivvyCommand(["-n", "1", "--retries", "3", "--retry-delay", "100ms", "--retry-max-delay", "10s", .. Job("FlakyJob", _markers, "1", "3")]);

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        int[] delays = run.Lines("attempt ").Select(Fields).Where(a => a["delay"] != "none").Select(a => int.Parse(a["delay"])).ToArray();
        delays.Should().HaveCount(3);
        delays[0].Should().BeInRange(50, 100, "the first retry waits the base delay, less up to half of it as jitter");
        delays[1].Should().BeInRange(100, 200);
        delays[2].Should().BeInRange(200, 400);
    }

    [Fact]
    public async Task An_item_that_honours_its_token_times_out_at_the_soft_deadline_and_its_worker_lives_on()
    {
        await using ProcessRun run = DivvyCommand(["-n", "1", "--timeout", "300ms", "--timeout-grace", "20s", .. Job("TimeoutJob", "honour", "3")]);

        (await run.WaitAsync()).Should().Be(1);

        var finals = Finals(run).ToDictionary(f => f["item"]);
        finals["1"]["status"].Should().Be("TimedOut");
        finals["2"]["status"].Should().Be("Succeeded");
        finals.Values.Select(f => f["pid"]).Distinct().Should().ContainSingle("the worker that honoured the token was not replaced");
        Count(run, "killed at timeout").Should().Be(0);
    }

    [Fact]
    public async Task An_item_that_ignores_its_token_is_killed_at_the_hard_deadline_with_everything_it_started()
    {
        await using ProcessRun run = DivvyCommand(["-n", "1", "--timeout", "200ms", "--timeout-grace", "300ms", .. Job("TimeoutJob", "ignore", "3")]);

        (await run.WaitAsync()).Should().Be(1);

        var finals = Finals(run).ToDictionary(f => f["item"]);
        finals["1"]["status"].Should().Be("TimedOut");
        finals["2"]["status"].Should().Be("Succeeded");
        finals["3"]["status"].Should().Be("Succeeded");
        var grandchild = Fields(run.Lines("grandchild ").Single());
        WorkerCensus.IsAlive(int.Parse(grandchild["pid"])).Should().BeFalse("the worker's whole process tree is killed");
        WorkerCensus.IsAlive(int.Parse(grandchild["worker"])).Should().BeFalse();
        finals["2"]["pid"].Should().NotBe(grandchild["worker"], "a replacement performed the rest");
        Count(run, "killed at timeout").Should().Be(1);
        run.Stderr.Should().Contain(l => l.Contains("passed its hard deadline"));
    }

    [Fact]
    public async Task A_poison_item_is_quarantined_after_crashing_two_workers_while_the_rest_of_the_run_completes()
    {
        await using ProcessRun run = DivvyCommand(["-n", "2", "--retries", "5", "--retry-delay", "10ms", .. Job("CrashJob", "12", "4", "exit")]);

        (await run.WaitAsync()).Should().Be(1);

        var results = run.Lines("result ").Select(Fields).ToList();
        results.Select(r => r["item"]).Should().BeEquivalentTo(Enumerable.Range(1, 12).Select(i => i.ToString()));
        results.Single(r => r["item"] == "4")["status"].Should().Be("Quarantined");
        results.Where(r => r["item"] != "4").Should().OnlyContain(r => r["status"] == "Succeeded");
        Count(run, "quarantined").Should().Be(1);
        Count(run, "crashed").Should().Be(0, "the poison item is counted as quarantined, not crashed");
        run.Stderr.Should().Contain(l => l.Contains("quarantined as poison: it crashed 2 workers"));
    }

    [Fact]
    public async Task Workers_recycled_after_N_items_perform_every_item_exactly_once()
    {
        await using ProcessRun run = DivvyCommand(["-n", "2", "--max-items-per-worker", "10", .. Job("EchoJob", "100")]);

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        var results = run.Lines("result ").Select(Fields).ToList();
        results.Select(r => int.Parse(r["item"])).Should().BeEquivalentTo(Enumerable.Range(1, 100));
        results.GroupBy(r => r["pid"]).Should().OnlyContain(g => g.Count() <= 11, "no worker exceeds its limit plus 10% jitter");
        results.Select(r => r["pid"]).Distinct().Count().Should().BeGreaterThanOrEqualTo(9);
        Count(run, "recycled").Should().BeGreaterThanOrEqualTo(7);
        Count(run, "worker crashes").Should().Be(0);
    }

    [Fact]
    public async Task A_worker_that_stops_answering_is_killed_and_its_item_retried_elsewhere()
    {
        await using ProcessRun run = DivvyCommand(["-n", "2", "--retries", "1", "--retry-delay", "10ms", "--heartbeat", "100ms", "--heartbeat-timeout", "800ms", .. Job("SleepJob", "6", "400")]);
        await run.WaitForLinesAsync("started ", 2);
        int frozen = int.Parse(Fields(run.Lines("started ")[0])["pid"]);

        Signals.Send(frozen, Signals.SIGSTOP);

        (await run.WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(0, run.AllStderr);
        run.Lines("result ").Select(l => Fields(l)["item"]).Should().BeEquivalentTo(["1", "2", "3", "4", "5", "6"]);
        WorkerCensus.IsAlive(frozen).Should().BeFalse();
        Count(run, "unresponsive").Should().Be(1);
        run.Stderr.Should().Contain(l => l.Contains("no answer for 0.8 s"));
    }

    [Fact]
    public async Task Halt_soon_stops_dispatching_at_the_first_failure_and_lets_items_in_hand_finish()
    {
        await using ProcessRun run = DivvyCommand(["-n", "1", "--halt", "soon,fail=1", .. Job("ThrowJob", "300")]);

        (await run.WaitAsync()).Should().Be(1);

        string summary = run.Stderr.Single(l => l.StartsWith("divvy: run "));
        summary.Should().StartWith("divvy: run halted (1 of ").And.Contain("--halt soon,fail=1");
        var results = run.Lines("result ").Select(Fields).ToList();
        results.Should().HaveCount(300, "every dispatched item reaches OnResult, the ones the halt kept from running too");
        results.Count(r => r["status"] != "NotPerformed").Should().BeLessThan(300);
        results.Count(r => r["status"] == "NotPerformed").Should().Be((int)Count(run, "not performed")).And.BeGreaterThan(0);
        Count(run, "failed").Should().Be(1);
    }

    [Fact]
    public async Task Halt_now_kills_the_items_in_hand()
    {
        await using ProcessRun run = DivvyCommand(["-n", "2", "--halt", "now,fail=1", .. Job("CrashJob", "40", "3", "exit")]);

        (await run.WaitAsync()).Should().Be(1);

        run.Stderr.Should().Contain(l => l.StartsWith("divvy: run halted (1 of ") && l.Contains("--halt now,fail=1"));
        run.Stderr.Should().Contain(l => l.Contains("killing worker") && l.Contains("forced stop"));
        Count(run, "not performed").Should().BeGreaterThan(0);
    }

    [Theory]
    [InlineData("soon,fail=2", true)]
    [InlineData("soon,fail=30%", true)]
    [InlineData("soon,fail=50%", false)]
    public async Task Halt_policies_count_failures_or_their_share(string policy, bool halts)
    {
        await using ProcessRun run = DivvyCommand(["-n", "1", "--halt", policy, .. Job("ThrowJob", "60")]);

        (await run.WaitAsync()).Should().Be(1);

        string summary = run.Stderr.Single(l => l.StartsWith("divvy: run "));
        if (halts)
        {
            summary.Should().StartWith("divvy: run halted");
        }
        else
        {
            summary.Should().StartWith("divvy: run completed: 60 dispatched, 40 succeeded, 20 failed", "a third failing never reaches half");
        }
    }

    [Fact]
    public async Task Workers_killed_at_random_lose_nothing_and_no_item_succeeds_twice()
    {
        // Random kills can hit fresh workers, which would otherwise count as boot failures and stop the run.
        await using ProcessRun run = DivvyCommand(["-n", "3", "--retries", "3", "--retry-delay", "10ms", "--poison-after", "3", "--max-boot-failures", "1000", .. Job("ChaosJob", "3000")]);
        var random = new Random(42);
        int kills = 0;
        await run.WaitForLinesAsync("final ", 100);
        DateTime deadline = DateTime.UtcNow.AddSeconds(120);
        while (kills < 8 && run.Lines("final ").Count < 2500 && !run.HasExited)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the run should have made progress: " + run.AllStderr);
            IReadOnlyList<int> workers = WorkerCensus.LiveWorkersOf(run.Pid);
            if (workers.Count > 0)
            {
                Signals.Send(workers[random.Next(workers.Count)], Signals.SIGKILL);
                kills++;
            }

            await Task.Delay(150);
        }

        await run.WaitAsync(TimeSpan.FromSeconds(120));

        kills.Should().BeGreaterThan(3);
        var finals = Finals(run);
        finals.Select(f => int.Parse(f["item"])).Should().BeEquivalentTo(Enumerable.Range(1, 3000), "every item is reported exactly once");
        finals.Should().OnlyContain(f => f["status"] == "Succeeded" || f["status"] == "Crashed" || f["status"] == "Quarantined");
        Count(run, "dispatched").Should().Be(3000);
        (Count(run, "succeeded") + Count(run, "crashed") + Count(run, "quarantined")).Should().Be(3000);
    }

    public void Dispose() => Directory.Delete(_markers, recursive: true);
}
