using Divvy.Tests.Support;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary>
/// Quick items queue up at a worker and their results travel several to a frame, so the item that
/// crashes or hangs comes right behind finished items whose results may not be sent yet: the crash
/// or the timeout is still that item's alone.
/// </summary>
public sealed partial class ResilienceSpecs
{
    [Theory]
    [InlineData("exit")]
    [InlineData("sigkill")]
    public async Task A_crash_on_an_item_queued_behind_finished_ones_is_charged_to_that_item_alone(string how)
    {
        await using ProcessRun run = DivvyCommand(["-n", "1", "--retries", "3", "--retry-delay", "10ms", .. Job("CrashJob", "3000", "2000", how, "0")]);

        (await run.WaitAsync()).Should().Be(1, run.AllStderr);

        var results = run.Lines("result ").Select(Fields).ToList();
        results.Should().HaveCount(3000);
        results.Single(r => r["item"] == "2000")["status"].Should().Be("Quarantined");
        results.Where(r => r["item"] != "2000").Should().OnlyContain(r => r["status"] == "Succeeded" && r["attempts"] == "1", "no other item is charged with the crash");
        run.Stderr.Should().Contain(l => l.Contains("quarantined as poison: it crashed 2 workers"));
    }

    [Fact]
    public async Task A_worker_that_exits_says_which_item_it_was_performing()
    {
        await using ProcessRun run = DivvyCommand(["-n", "1", .. Job("CrashJob", "3000", "2000", "exit", "0")]);

        (await run.WaitAsync()).Should().Be(1, run.AllStderr);

        run.Stderr.Should().Contain(l => l.Contains("crashed: exit code 42") && l.Contains("while performing item"), run.AllStderr);
    }

    [Fact]
    public async Task An_item_that_hangs_behind_finished_ones_is_the_one_timed_out()
    {
        await using ProcessRun run = DivvyCommand(["-n", "1", "--timeout", "300ms", "--timeout-grace", "300ms", .. Job("TimeoutJob", "ignore", "3000", "2000")]);

        (await run.WaitAsync()).Should().Be(1, run.AllStderr);

        var finals = Finals(run);
        finals.Should().HaveCount(3000);
        finals.Single(f => f["item"] == "2000")["status"].Should().Be("TimedOut");
        finals.Where(f => f["item"] != "2000").Should().OnlyContain(f => f["status"] == "Succeeded" && f["attempts"] == "1", "no other item is charged with the timeout");
    }
}
