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
    public async Task A_worker_does_not_load_what_only_a_master_needs(string assembly, string because)
    {
        await using ProcessRun run = JobsRun("assemblies", 1);

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        string loaded = Fields(run.Lines("result ").Single())["value"];
        loaded.Split(';').Should().Contain("Divvy", "the list comes from the worker").And.NotContain(assembly, because);
    }

    [Fact]
    public async Task A_master_running_a_job_loads_no_System_Linq()
    {
        // Everything a master maps alone is charged to it in full (Pss): System.Linq was 0.6 MiB of it.
        await using ProcessRun run = JobsRun("assemblies", 1);

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        string loaded = run.Lines("master loaded=").Single()["master loaded=".Length..];
        loaded.Split(';').Should().Contain("Divvy", "the list comes from the master").And.NotContain("System.Linq");
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
