using Divvy.Tests.Support;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary>Divvy's <c>ActivitySource("Divvy")</c>: one trace from the run in the master to each item's Perform in its worker.</summary>
[Collection(ProcessCollection.Name)]
public sealed class TracingSpecs
{
    private const string NoSpan = "0000000000000000";

    [Fact]
    public async Task With_a_listener_I_see_the_run_each_attempt_under_it_and_each_Perform_in_its_worker_under_its_attempt()
    {
        await using ProcessRun run = JobsRun("traced", 2, "listen", "6");

        (await run.WaitAsync()).Should().Be(1, "item 2 fails: " + run.AllStderr);

        var spans = run.Lines("span ").Select(Fields).ToList();
        Dictionary<string, string> root = spans.Should().ContainSingle(s => s["name"] == "divvy.run").Which;
        root["parent"].Should().Be(NoSpan, "the run is the trace's root");
        root["status"].Should().Be("Error", "an item failed");

        var attempts = spans.Where(s => s["name"] == "divvy.attempt").ToList();
        attempts.Select(s => s["item"]).Should().BeEquivalentTo(["1", "2", "3", "4", "5", "6"], "one span per attempt, each naming its item");
        attempts.Should().OnlyContain(s => s["trace"] == root["trace"] && s["parent"] == root["id"], "every attempt is a child of the run");
        attempts.Should().OnlyContain(s => s["attempt"] == "1" && (s["worker"] == "1" || s["worker"] == "2"));
        attempts.Single(s => s["item"] == "2").Should().Contain(new Dictionary<string, string> { ["status"] = "Error", ["outcome"] = "failed" });
        attempts.Where(s => s["item"] != "2").Should().OnlyContain(s => s["status"] == "Unset" && s["outcome"] == "succeeded");

        var results = run.Lines("result ").Select(Fields).Where(r => r["status"] == "Succeeded").ToList();
        results.Should().HaveCount(5);
        foreach (Dictionary<string, string> result in results)
        {
            string[] seen = result["value"].Split('/');
            string attempt = attempts.Single(s => s["item"] == result["item"])["id"];
            seen.Should().Equal([root["trace"], attempt, "Divvy"], $"item {result["item"]}'s Perform ran in worker pid {result["pid"]} as a span of Divvy's source, the child of its attempt");
            result["pid"].Should().NotBe(run.Pid.ToString());
        }
    }

    [Fact]
    public async Task With_nobody_listening_no_trace_context_reaches_the_workers()
    {
        await using ProcessRun run = JobsRun("traced", 2, "quiet", "6");

        (await run.WaitAsync()).Should().Be(1, "item 2 fails: " + run.AllStderr);

        run.Lines("span ").Should().BeEmpty();
        run.Lines("result ").Select(Fields).Where(r => r["status"] == "Succeeded").Should().HaveCount(5)
            .And.OnlyContain(r => r["value"] == "none", "no traceparent came with the items, so Perform ran outside any activity");
    }

    [Fact]
    public async Task OpenTelemetry_exports_one_trace_from_the_master_and_the_workers_of_the_example()
    {
        await using ProcessRun run = ProcessRun.Start(Artifacts.TracedRunDll, []);

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        string[] names = run.Stdout.Where(l => l.StartsWith("Activity.DisplayName:", StringComparison.Ordinal)).Select(l => l.Split(':', 2)[1].Trim()).ToArray();
        names.Should().BeEquivalentTo(["divvy.run", "divvy.attempt", "divvy.attempt", "divvy.attempt", "divvy.perform", "divvy.perform", "divvy.perform"], "the workers' console exporters write to the same stdout");
        run.Stdout.Where(l => l.StartsWith("Activity.TraceId:", StringComparison.Ordinal)).Distinct().Should().ContainSingle("master and workers export spans of one trace");
    }

    [Fact]
    public void The_README_shows_the_tracing_example_as_it_is()
    {
        string readme = File.ReadAllText(Path.Combine(Artifacts.RepositoryRoot, "README.md"));
        string program = File.ReadAllText(Path.Combine(Artifacts.RepositoryRoot, "examples", "TracedRun", "Program.cs")).TrimEnd();

        readme.Should().Contain("```csharp\n" + program + "\n```");
    }
}
