using Divvy.Tests.Support;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

public sealed partial class ResilienceSpecs
{
    [Fact]
    public async Task Items_sent_again_after_their_worker_crashed_carry_their_own_bytes_and_so_do_their_results()
    {
        // 64 KiB items travel in pooled arrays both ways; 17 of the 120 crash their worker once, with
        // others queued behind them, so items are resent while arrays go back to the pools and out again.
        await using ProcessRun run = DivvyCommand(["-n", "2", "--retries", "2", "--retry-delay", "10ms", .. Job("CrashingEchoJob", _markers, "120", "65536")]);

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        var finals = Finals(run);
        finals.Select(f => f["item"]).Should().BeEquivalentTo(Enumerable.Range(0, 120).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        finals.Should().OnlyContain(f => f["status"] == "Succeeded" && f["item_intact"] == "True" && f["result_intact"] == "True");
        Directory.GetFiles(_markers).Should().HaveCount(17, "each of them crashed a worker once");
        finals.Should().Contain(f => f["attempts"] != "1", "the crashes cost attempts");
    }
}
