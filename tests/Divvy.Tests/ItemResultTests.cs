using System.Reflection;

namespace Divvy.Tests;

public sealed class ItemResultTests
{
    [Fact]
    public void I_can_build_results_in_a_test_and_check_my_OnResult_hook()
    {
        // The README's example ("The programming model"), as a user writes it.
        var job = new FailureCountingJob();
        var error = new RemoteError("System.IO.IOException", "disk full", stackTrace: "");
        job.OnResult(new ItemResult<string, int>("a.txt", ItemStatus.Failed, default, error, new WorkerInfo(1, 4711), TimeSpan.FromMilliseconds(5), null, 3));

        var worker = new WorkerInfo(1, 4711);
        job.OnResult(new ItemResult<string, int>("b.txt", ItemStatus.Succeeded, 42, null, worker, TimeSpan.FromMilliseconds(2), null, 1));
        job.OnResult(new ItemResult<string, int>("c.txt", ItemStatus.Crashed, default, null, worker, TimeSpan.Zero, new WorkerExit(137), 1));

        job.Failures.Should().Equal("a.txt: System.IO.IOException: disk full", "c.txt: killed by SIGKILL (exit code 137)");
        job.Total.Should().Be(42);
    }

    [Fact]
    public void Its_constructor_sets_every_member()
    {
        var error = new RemoteError("System.Exception", "boom", "at Perform()");

        var result = new ItemResult<int, string>(7, ItemStatus.Crashed, "partial", error, new WorkerInfo(2, 99), TimeSpan.FromSeconds(1), new WorkerExit(3), 2);

        result.Item.Should().Be(7);
        result.Status.Should().Be(ItemStatus.Crashed);
        result.Succeeded.Should().BeFalse();
        result.Result.Should().Be("partial");
        result.Error.Should().BeSameAs(error);
        result.Worker.Should().Be(new WorkerInfo(2, 99));
        result.Duration.Should().Be(TimeSpan.FromSeconds(1));
        result.WorkerExit.Should().Be(new WorkerExit(3));
        result.Attempts.Should().Be(2);
        result.ToString().Should().Be("crashed: worker 2, pid 99 exit code 3 while performing it");
    }

    [Fact]
    public void Its_constructor_is_public_so_code_outside_Divvy_can_call_it()
    {
        // Divvy.Tests sees Divvy's internals, so compiling the tests above proves nothing for users.
        typeof(ItemResult<int, int>).GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .Should().ContainSingle(constructor => constructor.GetParameters().Length == 8);
    }

    [Fact]
    public void The_README_shows_the_example_above_as_it_is()
    {
        string source = File.ReadAllText(Path.Combine(Support.Artifacts.RepositoryRoot, "tests", "Divvy.Tests", "ItemResultTests.cs"));
        string readme = File.ReadAllText(Path.Combine(Support.Artifacts.RepositoryRoot, "README.md"));
        string[] lines = source.Split('\n');
        int comment = Array.FindIndex(lines, line => line.Contains("The README's example", StringComparison.Ordinal));
        string example = string.Join('\n', lines[(comment + 1)..(comment + 4)].Select(line => line.Trim()));

        readme.Should().Contain("```csharp\n" + example + "\n```");
    }

    private sealed class FailureCountingJob : IParallelizable<string, int>
    {
        public List<string> Failures { get; } = [];

        public int Total { get; private set; }

        public IEnumerable<string> Dispatch() => [];

        public int Perform(string item) => item.Length;

        public void OnResult(ItemResult<string, int> result)
        {
            if (result.Succeeded)
            {
                Total += result.Result;
            }
            else
            {
                Failures.Add($"{result.Item}: {(object?)result.Error ?? result.WorkerExit}");
            }
        }
    }
}
