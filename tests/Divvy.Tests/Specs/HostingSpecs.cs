using System.Globalization;
using Divvy.Tests.Support;

namespace Divvy.Tests.Specs;

/// <summary>examples/HostedJob: a Generic Host app that runs a job from a hosted service, run for real.</summary>
[Collection(ProcessCollection.Name)]
public sealed class HostingSpecs
{
    private static string HostedJobDll
    {
        get
        {
            // Built beside the library, in the same configuration.
            string configuration = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(Artifacts.LibraryDll)))!;
            string path = Path.Combine(Artifacts.RepositoryRoot, "examples", "HostedJob", "bin", configuration, "net10.0", "HostedJob.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"build output missing: {path} (build the solution first)");
        }
    }

    [Fact]
    public async Task In_a_Generic_Host_app_the_workers_perform_items_without_ever_starting_the_host()
    {
        await using ProcessRun run = ProcessRun.Start(HostedJobDll, ["--count", "8", "--workers", "3"]);

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        string master = run.Pid.ToString(CultureInfo.InvariantCulture);
        run.Lines("host started").Should().Equal([$"host started on pid {master}"], "only the master builds and starts the host; a worker goes to its loop first");
        IReadOnlyList<string> squares = run.Lines("square ");
        squares.Should().HaveCount(8);
        squares.Select(l => l.Split(' ')[^1]).Should().NotContain(master, "items are performed in the workers, whose stdout is this one");
        run.Stderr.Should().Contain(l => l.StartsWith("HostedJob completed: 8 dispatched, 8 succeeded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ctrl_C_reaches_the_run_through_the_host_and_stops_it_gracefully()
    {
        await using ProcessRun run = ProcessRun.Start(HostedJobDll, ["--count", "100000000", "--workers", "2"]);
        await run.WaitForLinesAsync("square ");

        run.Signal(Signals.SIGINT);

        (await run.WaitAsync()).Should().Be(1, "a cancelled run is not a success; " + run.AllStderr);
        run.Stderr.Should().Contain(l => l.StartsWith("HostedJob cancelled: ", StringComparison.Ordinal));
    }

    [Fact]
    public void The_README_shows_the_example_program_as_it_is()
    {
        string readme = File.ReadAllText(Path.Combine(Artifacts.RepositoryRoot, "README.md"));
        string program = File.ReadAllText(Path.Combine(Artifacts.RepositoryRoot, "examples", "HostedJob", "Program.cs")).TrimEnd();

        readme.Should().Contain("```csharp\n" + program + "\n```");
    }
}
