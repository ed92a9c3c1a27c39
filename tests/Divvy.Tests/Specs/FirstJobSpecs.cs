using Divvy.Tests.Support;

namespace Divvy.Tests.Specs;

/// <summary>docs/first-job.md: its files are examples/HashJob, and the job does what the walkthrough says.</summary>
[Collection(ProcessCollection.Name)]
public sealed class FirstJobSpecs : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "divvy-first-job-" + Guid.NewGuid().ToString("N"));

    public FirstJobSpecs()
    {
        // As in the walkthrough: a few files to hash and a link to nothing.
        string data = Path.Combine(_root, "data");
        Directory.CreateDirectory(data);
        for (int i = 1; i <= 5; i++)
        {
            File.WriteAllLines(Path.Combine(data, $"numbers-{i}.txt"), Enumerable.Range(1, i * 1000).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        File.CreateSymbolicLink(Path.Combine(data, "missing.txt"), "/nowhere");
    }

    private string Data => Path.Combine(_root, "data");

    private static string HashJobDll
    {
        get
        {
            string configuration = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(Artifacts.LibraryDll)))!;
            string path = Path.Combine(Artifacts.RepositoryRoot, "examples", "HashJob", "bin", configuration, "net10.0", "HashJob.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"build output missing: {path} (build the solution first)");
        }
    }

    [Theory]
    [InlineData("Items.cs")]
    [InlineData("HashFiles.cs")]
    [InlineData("Program.cs")]
    public void The_walkthrough_shows_the_files_of_the_compiled_example(string file)
    {
        string doc = File.ReadAllText(Path.Combine(Artifacts.RepositoryRoot, "docs", "first-job.md"));
        string source = File.ReadAllText(Path.Combine(Artifacts.RepositoryRoot, "examples", "HashJob", file)).TrimEnd();

        doc.Should().Contain("```csharp\n" + source + "\n```", $"docs/first-job.md shows examples/HashJob/{file} as it is");
    }

    [Fact]
    public async Task My_first_job_hashes_every_file_and_fails_the_missing_one_without_retrying_it()
    {
        await using ProcessRun run = ProcessRun.Start(HashJobDll, [Data]);

        (await run.WaitAsync()).Should().Be(1, "an item failed; " + run.AllStderr);

        ShouldHaveHashedAndFailedAsTheWalkthroughSays(run);
        run.Stderr.Should().Contain(l => l.StartsWith("completed: 6 dispatched, 5 succeeded, 1 failed", StringComparison.Ordinal) && l.Contains(" 0 retries;"));
        Directory.GetFiles(Data + "-gz").Select(Path.GetFileName).Should().BeEquivalentTo(Enumerable.Range(1, 5).Select(i => $"numbers-{i}.txt.gz"));
    }

    [Fact]
    public async Task My_first_job_runs_the_same_under_the_divvy_command()
    {
        await using ProcessRun run = ProcessRun.DivvyCommand("-n", "4", "--retries", "2", HashJobDll, Data);

        (await run.WaitAsync()).Should().Be(1, "an item failed; " + run.AllStderr);

        ShouldHaveHashedAndFailedAsTheWalkthroughSays(run);
        run.Stderr.Should().Contain(l => l.StartsWith("divvy: run completed: 6 dispatched, 5 succeeded, 1 failed", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static void ShouldHaveHashedAndFailedAsTheWalkthroughSays(ProcessRun run)
    {
        run.Stdout.Where(l => l.Contains(" bytes  numbers-", StringComparison.Ordinal)).Should().HaveCount(5, string.Join("\n", run.Stdout));
        run.Stdout.Should().ContainSingle(l => l.StartsWith("Failed: missing.txt after 1 attempt(s): System.IO.FileNotFoundException", StringComparison.Ordinal));
    }
}
