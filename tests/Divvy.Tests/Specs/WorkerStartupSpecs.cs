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
}
