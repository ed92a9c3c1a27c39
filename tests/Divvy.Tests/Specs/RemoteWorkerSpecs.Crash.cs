using Divvy.Tests.Support;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary>A TCP worker that crashes on an item is the item's fault, as a local worker's crash is; a lost connection is not.</summary>
public sealed partial class RemoteWorkerSpecs
{
    [Fact]
    public async Task A_tcp_worker_that_exits_in_perform_is_a_crash_charged_to_its_item_as_a_local_workers_would_be()
    {
        // Item 2 calls Environment.Exit(42). Workers are started one after the other, as a cluster
        // would start a replacement. Without Goodbye the master would see a lost connection, send
        // item 2 again without charging it, and lose the next worker to it as well.
        (ProcessRun master, string address) = await StartMasterAsync(["-n", "1"], "CrashJob", "4", "2", "exit");
        var exits = new List<int>();
        for (int started = 0; started < 6 && !master.HasExited; started++)
        {
            ProcessRun worker = Worker(address, "CrashJob");
            exits.Add(await worker.WaitAsync());
        }

        (await master.WaitAsync()).Should().Be(1, master.AllStderr);
        exits.Should().StartWith([42, 0], "the first worker ran item 2 and exited with its code; the second did the rest");
        var results = master.Lines("result ").Select(Fields).ToDictionary(r => int.Parse(r["item"]));
        results[2]["status"].Should().Be("Crashed");
        results[2]["exit"].Should().Be("42", "the worker's exit code reached the master in its Goodbye");
        results.Where(r => r.Key != 2).Should().OnlyContain(r => r.Value["status"] == "Succeeded");
        string summary = master.Stderr.Single(l => l.StartsWith("divvy: run completed: ", StringComparison.Ordinal));
        summary.Should().Contain(", 1 worker crash,").And.NotContain(" lost;", "an exit that said Goodbye is a crash, not a lost connection");
    }
}
