using Divvy.Tests.Support;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary>The benchmark program runs every workload at a tiny size and counts what came back; nothing here is timed.</summary>
[Collection(ProcessCollection.Name)]
public sealed class BenchSmokeSpecs
{
    [Theory]
    [InlineData("trivial --workers 2 --items 500", 500)]
    [InlineData("sleep --workers 2 --items 4 --sleep-ms 10", 4)]
    [InlineData("cpu --workers 2 --items 4 --rounds 2 --size 1024", 4)]
    [InlineData("payload --workers 2 --items 10 --payload 4096", 10)]
    [InlineData("payload --workers 2 --items 10 --payload 4096 --echo", 10)]
    public async Task Every_workload_runs_and_reports_ok(string arguments, int items)
    {
        await using ProcessRun run = Start(Artifacts.BenchDll, arguments.Split(' '));

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        run.Stdout.Should().Equal($"processed={items} expected={items} ok");
    }

    [Fact]
    public async Task The_floors_run_without_Divvy_and_report_ok()
    {
        await using ProcessRun hello = Start(Artifacts.BenchDll, ["hello"]);
        (await hello.WaitAsync()).Should().Be(0, hello.AllStderr);
        hello.Stdout.Should().Equal("hello ok");

        await using ProcessRun pingpong = Start(Artifacts.BenchDll, ["pingpong", "--items", "200"]);
        (await pingpong.WaitAsync()).Should().Be(0, pingpong.AllStderr);
        pingpong.Stdout.Should().ContainSingle().Which.Should().MatchRegex(@"^roundtrips=200 ns_per_roundtrip=\d+ ok$");
    }

    [Fact]
    public async Task An_unknown_workload_is_refused()
    {
        await using ProcessRun run = Start(Artifacts.BenchDll, ["juggle", "--workers", "2"]);

        (await run.WaitAsync()).Should().NotBe(0);
        run.Stdout.Should().NotContain(l => l.EndsWith(" ok"));
    }
}
