using System.Globalization;
using Divvy.Tests.Support;

namespace Divvy.Tests.Specs;

/// <summary>examples/HostedDivvy: a Generic Host app with <c>services.AddDivvy&lt;TJob&gt;()</c> and <c>host.RunDivvyAsync()</c>, run for real.</summary>
[Collection(ProcessCollection.Name)]
public sealed class HostedDivvySpecs
{
    /// <summary>Started from its output folder, as <c>dotnet HostedDivvy.dll</c> is run there: the host finds its appsettings.json.</summary>
    private static ProcessRun Start(params string[] args) => ProcessRun.Start(Artifacts.HostedDivvyDll, args, workingDirectory: Path.GetDirectoryName(Artifacts.HostedDivvyDll));

    [Fact]
    public async Task Each_worker_builds_the_job_from_the_container_with_its_dependencies_and_never_starts_the_hosted_services()
    {
        await using ProcessRun run = Start("--Count", "300", "--Greeting", "ahoy", "--Divvy:Workers", "2");

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        string master = run.Pid.ToString(CultureInfo.InvariantCulture);
        run.Lines("host started").Should().Equal([$"host started on pid {master}"], "hosted services start in the master only; a worker runs its loop without starting the host");
        IReadOnlyList<string> greetings = run.Lines("ahoy ");
        greetings.Should().HaveCount(300, "each worker's Greeter came from the container, configured from the same command line");
        greetings.Select(l => l.Split(' ')[^1]).Should().NotContain(master, "items are performed in the workers");
        run.Stderr.Should().Contain(l => l.StartsWith("HostedDivvy completed: 300 dispatched, 300 succeeded", StringComparison.Ordinal) && l.Contains("; 2 workers spawned,", StringComparison.Ordinal), "--Divvy:Workers 2 overrides appsettings.json's 3");
        run.Stdout.Should().Contain("info: Divvy.Master[1]", "the master logs through the host's console logger");
    }

    [Fact]
    public async Task The_Divvy_section_of_appsettings_sets_the_workers()
    {
        await using ProcessRun run = Start("--Count", "300");

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        run.Stderr.Should().Contain(l => l.StartsWith("HostedDivvy completed: 300 dispatched", StringComparison.Ordinal) && l.Contains("; 3 workers spawned,", StringComparison.Ordinal), "appsettings.json says \"Divvy\": { \"Workers\": 3 }");
    }

    [Theory]
    [InlineData(Signals.SIGINT)]
    [InlineData(Signals.SIGTERM)]
    public async Task Stopping_the_host_stops_the_run_gracefully_and_the_exit_code_says_it_did_not_complete(int signal)
    {
        await using ProcessRun run = Start("--Count", "100000000", "--Divvy:Workers", "2");
        await run.WaitForLinesAsync("hello ");

        run.Signal(signal);

        (await run.WaitAsync()).Should().Be(1, "a cancelled run is not a success; " + run.AllStderr);
        run.Stderr.Should().Contain(l => l.StartsWith("HostedDivvy cancelled: ", StringComparison.Ordinal) && l.Contains(" 0 crashed,", StringComparison.Ordinal), "items in hand finished");
    }

    [Fact]
    public void The_README_shows_the_example_program_as_it_is()
    {
        string readme = File.ReadAllText(Path.Combine(Artifacts.RepositoryRoot, "README.md"));
        string program = File.ReadAllText(Path.Combine(Artifacts.RepositoryRoot, "examples", "HostedDivvy", "Program.cs")).TrimEnd();

        readme.Should().Contain("```csharp\n" + program + "\n```");
    }
}
