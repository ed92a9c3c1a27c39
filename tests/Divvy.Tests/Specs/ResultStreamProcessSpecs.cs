using Divvy.Tests.Support;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary>Results as a stream and the async hooks in a real run: a master and its worker processes.</summary>
[Collection(ProcessCollection.Name)]
public sealed class ResultStreamProcessSpecs
{
    [Fact]
    public async Task I_read_every_item_s_result_once_from_the_stream_after_OnResult_saw_it_and_no_worker_outlives_the_run()
    {
        await using ProcessRun run = Start(Artifacts.JobsDll, ["echo", "3", "200"], new Dictionary<string, string> { ["JOBS_STREAM"] = "1" });

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        var streamed = run.Lines("streamed ").Select(Fields).ToList();
        streamed.Select(f => f["item"]).Should().BeEquivalentTo(Enumerable.Range(1, 200).Select(i => i.ToString()));
        streamed.Should().OnlyContain(f => f["status"] == "Succeeded" && f["value"] == (int.Parse(f["item"]) * 2).ToString());
        streamed.Select(f => f["item"]).Should().Equal(run.Lines("result ").Select(l => Fields(l)["item"]), "the stream's order is OnResult's, completion order");
        run.Summary().Should().Contain(new Dictionary<string, string> { ["dispatched"] = "200", ["succeeded"] = "200", ["reason"] = "Completed" });
        (await WorkerCensus.WaitUntilNoneAsync(run.Pid, TimeSpan.FromSeconds(10))).Should().BeEmpty();
    }

    [Fact]
    public async Task AfterSpawnAsync_runs_in_each_worker_process_before_its_first_item_and_OnResultAsync_in_the_master()
    {
        string directory = Directory.CreateTempSubdirectory("divvy-asynchooks-").FullName;
        string log = Path.Combine(directory, "hooks");
        try
        {
            await using ProcessRun run = JobsRun("asynchooks", 2, log, "12");
            (await run.WaitAsync()).Should().Be(0, run.AllStderr);

            string[] lines = Directory.GetFiles(directory).SelectMany(File.ReadAllLines)
                .Select(l => l.Split(' ', 2)).OrderBy(p => long.Parse(p[0])).Select(p => p[1]).ToArray();
            string master = run.Pid.ToString();
            var done = lines.Where(l => l.StartsWith("afterdone ")).Select(l => l.Split(' ')).ToList();
            done.Should().HaveCount(2).And.OnlyContain(f => f[2] != master, "AfterSpawnAsync runs in the workers");
            foreach (string[] hook in done)
            {
                int doneAt = Array.IndexOf(lines, string.Join(' ', hook));
                Array.FindIndex(lines, l => l.StartsWith($"before {hook[1]} {master}")).Should().BeLessThan(doneAt, "BeforeSpawnAsync ran in the master before the launch");
                lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("perform ") && x.l.EndsWith($" {hook[2]}"))
                    .Should().NotContain(x => x.i < doneAt, "a worker performs nothing before its AfterSpawnAsync has returned");
            }

            lines.Where(l => l.StartsWith("perform ")).Should().HaveCount(12).And.OnlyContain(l => !l.EndsWith($" {master}"));
            lines.Where(l => l.StartsWith("result ")).Should().HaveCount(12).And.OnlyContain(l => l.Split(' ')[2] == master, "OnResultAsync runs in the master");
            run.Lines("result ").Should().HaveCount(12);
            (await WorkerCensus.WaitUntilNoneAsync(run.Pid, TimeSpan.FromSeconds(10))).Should().BeEmpty();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
