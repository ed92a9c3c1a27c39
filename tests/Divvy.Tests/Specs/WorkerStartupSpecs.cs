using Divvy.Tests.Support;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary>What a worker pays to start: every worker of every run pays it again, so its start path loads only what its work needs.</summary>
[Collection(ProcessCollection.Name)]
public sealed class WorkerStartupSpecs
{
    [Theory]
    [InlineData("System.IO.Pipes", "a Unix worker opens its inherited pipe ends as plain file streams")]
    [InlineData("System.Diagnostics.DiagnosticSource", "metrics belong to the master")]
    [InlineData("Microsoft.Extensions.Logging.Abstractions", "a worker never logs, so the default logger is not even looked up")]
    [InlineData("System.Net.Primitives", "a worker on pipes does not check the master's network options")]
    [InlineData("System.Linq", "binding the job in a worker reads no interface maps and uses no LINQ")]
    [InlineData("System.Threading.Channels", "the item loop takes its items from an inbox it blocks on, not from a channel it awaits")]
    [InlineData("System.Threading.ThreadPool", "one item at a time, the item loop runs on the worker's main thread, not on the thread pool")]
    public async Task A_worker_does_not_load_what_only_a_master_needs(string assembly, string because)
    {
        await using ProcessRun run = JobsRun("assemblies", 1);

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        string loaded = Fields(run.Lines("result ").Single())["value"];
        loaded.Split(';').Should().Contain("Divvy", "the list comes from the worker").And.NotContain(assembly, because);
    }

    // Everything a master maps alone is charged to it in full (Pss): System.Linq was 0.6 MiB of it;
    // the sockets behind PipeStream's asynchronous reads, with their telemetry, about 1 MiB.
    [Theory]
    [InlineData("System.Linq", "the job binder, the pool's counts and the worker command use no LINQ")]
    [InlineData("System.Net.Sockets", "on Linux the master reads and writes its workers' pipes itself, not through PipeStream's socket")]
    [InlineData("System.Collections.Concurrent", "nothing in the master needs the sockets' engine")]
    [InlineData("System.Diagnostics.DiagnosticSource", "the run's meter is created only once something can listen to it")]
    public async Task A_master_running_a_job_with_local_workers_does_not_load(string assembly, string because)
    {
        await using ProcessRun run = JobsRun("assemblies", 1);

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        string loaded = run.Lines("master loaded=").Single()["master loaded=".Length..];
        loaded.Split(';').Should().Contain("Divvy", "the list comes from the master").And.NotContain(assembly, because);
    }

    [Fact]
    public async Task A_meter_listener_started_during_the_run_hears_the_items_that_succeed_from_then_on()
    {
        // The master creates its meter only once System.Diagnostics.DiagnosticSource is loaded: a
        // listener that appears mid-run must still find it and every measurement after it.
        await using ProcessRun run = JobsRun("latelistener", 1, "3");

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        run.Lines("late listener ").Should().Equal("late listener loadedBefore=False instruments=11 succeeded=2");
    }

    [Fact]
    public async Task MessagePackObject_records_travel_both_ways_without_code_emitted_at_run_time()
    {
        // MessagePack's standard resolver emits a dynamic assembly and a formatter per type, about
        // 150 ms in the master and again in every worker before its first item.
        await using ProcessRun run = JobsRun("keyed", 2, "4");

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        run.Lines("emitted ").Should().HaveCount(4).And.OnlyContain(line => line.EndsWith("worker=[]", StringComparison.Ordinal), "no worker emitted code");
        run.Lines("emitted ").Select(line => Fields(line)["length"]).Should().BeEquivalentTo(["1000", "2000", "3000", "4000"]);
        run.Lines("master emitted=").Should().Equal("master emitted=[]");
    }
}
