using Divvy.Tests.Support;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary>A run with no workers (<c>Workers = 0</c>, <c>divvy -n 0</c>): everything in the process I started, for debugging.</summary>
public sealed partial class MasterSpecs
{
    [Fact]
    public async Task With_no_workers_every_item_is_performed_in_my_own_process_one_at_a_time_with_the_same_results_and_summary()
    {
        await using ProcessRun run = JobsRun("throw", 0, "12");

        (await run.WaitAsync()).Should().Be(1, "the run had failed items: " + run.AllStderr);

        var results = run.Lines("result ").Select(Fields).ToList();
        results.Select(r => r["item"]).Should().BeEquivalentTo(Enumerable.Range(1, 12).Select(i => i.ToString()));
        results.Select(r => r["pid"]).Should().OnlyContain(pid => pid == run.Pid.ToString(), "Perform ran in the process I started, not in a worker");
        results.Where(r => r["status"] == "Failed").Select(r => r["item"]).Should().BeEquivalentTo(["3", "6", "9", "12"]);
        run.Lines("error ").Should().Contain("error item=3 message=item 3 is a multiple of three hasStack=True");
        run.Summary().Should().Contain(new Dictionary<string, string> { ["succeeded"] = "8", ["failed"] = "4", ["crashes"] = "0", ["spawned"] = "1" });
    }

    [Fact]
    public async Task With_no_workers_an_item_past_its_timeout_times_out_once_its_Perform_returns_and_the_run_goes_on()
    {
        // SleepJob ignores its token: in process nothing can be killed, so each item ends when its sleep does.
        await using ProcessRun run = DivvyCommand(["-n", "0", "--timeout", "200ms", "--timeout-grace", "0s", .. Job("SleepJob", "3", "600")]);

        (await run.WaitAsync()).Should().Be(1, run.AllStderr);
        run.Stderr.Single(l => l.StartsWith("divvy: run ", StringComparison.Ordinal)).Should().Contain("3 dispatched, 0 succeeded, 0 failed, 0 crashed, 3 timed out");
    }
}
