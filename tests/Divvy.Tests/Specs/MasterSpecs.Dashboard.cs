using Divvy.Tests.Support;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary>A program that asks for the dashboard in code (<c>MasterOptions.MetricsPort</c>).</summary>
public sealed partial class MasterSpecs
{
    [Fact]
    public async Task A_program_that_asks_for_the_dashboard_without_the_Divvy_Dashboard_package_is_told_what_to_add_and_starts_no_worker()
    {
        // The test jobs program references Divvy only.
        await using ProcessRun run = Start(Artifacts.JobsDll, ["sleep", "2", "4", "50"], new Dictionary<string, string> { ["JOBS_METRICS_PORT"] = FreePort.Next().ToString() });

        (await run.WaitAsync()).Should().Be(3);
        run.Stdout.Should().ContainSingle().Which.Should().Be("error RunSetupException MetricsPort needs the Divvy.Dashboard package: add it to the project (dotnet add package Divvy.Dashboard), or set MasterOptions.Endpoint");
        run.AllStderr.Should().NotContain("started");
    }
}
