using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Divvy.Tests.Support;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary>Progress, metrics, the /herd control endpoint and resizing, through the divvy command.</summary>
[Collection(ProcessCollection.Name)]
public sealed partial class ObservabilitySpecs : IDisposable
{
    private const string Token = "test-token-1234";
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };


    private async Task<HttpResponseMessage> PatchHerd(int port, string body, string? token = Token)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"http://127.0.0.1:{port}/herd") { Content = new StringContent(body) };
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return await _http.SendAsync(request);
    }

    private async Task<int> Herd(int port) =>
        (await _http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{port}/herd")).GetProperty("num").GetInt32();

    private async Task WaitForHerd(int port, int expected, ProcessRun run)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(20);
        int seen;
        while ((seen = await Herd(port)) != expected)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, $"the herd should reach {expected} (is {seen}); stderr: {run.AllStderr}");
            await Task.Delay(50);
        }
    }

    private static async Task WaitUntil(Func<bool> condition, string what, int seconds = 30)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(deadline, $"waiting for {what}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Progress_never_appears_when_stderr_is_redirected_and_appears_when_forced()
    {
        await using (ProcessRun quiet = DivvyCommand(["-n", "2", .. Job("SleepJob", "6", "200")]))
        {
            (await quiet.WaitAsync()).Should().Be(0, quiet.AllStderr);
            quiet.AllStderr.Should().NotContain("\u001b[").And.NotContain("done /");
        }

        await using ProcessRun forced = DivvyCommand(["-n", "2", "--progress", .. Job("SleepJob", "6", "200")]);
        (await forced.WaitAsync()).Should().Be(0, forced.AllStderr);
        forced.AllStderr.Should().Contain("done / ").And.Contain("workers").And.NotContain("\u001b", "on a non-terminal the forced line is plain");
        forced.Stdout.Should().NotContain(l => l.Contains("done /"), "progress goes to stderr only");
    }

    [Fact]
    public async Task The_metrics_endpoint_serves_well_formed_Prometheus_text_that_matches_the_summary()
    {
        int port = FreePort.Next();
        await using ProcessRun run = DivvyCommand(["-n", "2", "--metrics-port", port.ToString(), "--metrics-linger", "3s", .. Job("ThrowJob", "12")]);

        // Scrape until every item has settled (the linger keeps the endpoint up after the run).
        string text = "";
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (!PrometheusText.WithoutScope(text).Contains("divvy_items_succeeded_total 8\n", StringComparison.Ordinal) || !PrometheusText.WithoutScope(text).Contains("divvy_items_in_flight 0\n", StringComparison.Ordinal))
        {
            DateTime.UtcNow.Should().BeBefore(deadline, $"the counters should settle; last scrape:\n{text}\nstderr:\n{run.AllStderr}");
            try
            {
                text = await _http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        (await run.WaitAsync()).Should().Be(1);

        var samples = new Dictionary<string, double>();
        string? typed = null;
        foreach (string line in PrometheusText.WithoutScope(text).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# TYPE "))
            {
                typed = line.Split(' ')[2];
                continue;
            }

            if (line.StartsWith('#'))
            {
                continue;
            }

            Match sample = SampleLine().Match(line);
            sample.Success.Should().BeTrue($"'{line}' is a Prometheus sample line");
            sample.Groups["name"].Value.Should().StartWith(typed!, "every sample follows its family's # TYPE line");
            samples[sample.Groups["name"].Value + sample.Groups["labels"].Value] = double.Parse(sample.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        samples["divvy_items_dispatched_total"].Should().Be(12);
        samples["divvy_items_succeeded_total"].Should().Be(8);
        samples["divvy_items_failed_total{status=\"failed\"}"].Should().Be(4);
        samples["divvy_item_duration_seconds_count"].Should().Be(12);
        samples["divvy_workers_spawned_total{reason=\"start\"}"].Should().Be(2);
        samples.Should().NotContainKey("divvy_workers_spawned_total", "every launch has a reason: no stray unlabelled series");
        samples.Should().NotContainKey("divvy_items_failed_total", "every failure has a status: no stray unlabelled series");
        samples["divvy_items_in_flight"].Should().Be(0);
        run.Stderr.Single(l => l.StartsWith("divvy: run ")).Should().Contain("12 dispatched, 8 succeeded, 4 failed");
    }

    [Fact]
    public async Task The_pool_grows_and_shrinks_while_it_runs_without_losing_or_repeating_an_item()
    {
        int port = FreePort.Next();
        await using ProcessRun run = DivvyCommand(["-n", "1", "--metrics-port", port.ToString(), "--control-token", Token, .. Job("SleepJob", "30", "250")]);
        await run.WaitForLinesAsync("started ", 2);
        (await Herd(port)).Should().Be(1);

        (await PatchHerd(port, """{"num": 3}""")).StatusCode.Should().Be(HttpStatusCode.OK);
        await WaitUntil(() => WorkerCensus.LiveWorkersOf(run.Pid).Count == 3, "three workers");
        (await Herd(port)).Should().Be(3);

        (await PatchHerd(port, """{"num": 1}""")).StatusCode.Should().Be(HttpStatusCode.OK);
        await WaitUntil(() => WorkerCensus.LiveWorkersOf(run.Pid).Count == 1, "back to one worker");

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);
        run.Lines("result ").Select(l => int.Parse(Fields(l)["item"])).Should().BeEquivalentTo(Enumerable.Range(1, 30), "no item lost or repeated");
        run.Lines("finished ").Should().HaveSameCount(run.Lines("started "), "shrinking never interrupts an item");
        run.Lines("worker ").Select(l => Fields(l)["pid"]).Distinct().Should().HaveCount(3);
    }

    [Fact]
    public async Task Changing_the_pool_needs_the_token_and_a_sensible_body()
    {
        int port = FreePort.Next();
        await using ProcessRun run = DivvyCommand(["-n", "1", "--metrics-port", port.ToString(), "--control-token", Token, .. Job("SleepJob", "8", "250")]);
        await run.WaitForLinesAsync("started ", 1);

        HttpResponseMessage anonymous = await PatchHerd(port, """{"num": 2}""", token: null);
        HttpResponseMessage wrong = await PatchHerd(port, """{"num": 2}""", token: "not-the-token");
        HttpResponseMessage negative = await PatchHerd(port, """{"num": -2}""");
        HttpResponseMessage garbage = await PatchHerd(port, "two please");

        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        wrong.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        negative.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await negative.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString().Should().Be("num must not be negative");
        garbage.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Herd(port)).Should().Be(1, "nothing changed");
        (await run.WaitAsync()).Should().Be(0, run.AllStderr);
    }

    [Fact]
    public async Task SIGTTIN_adds_a_worker_and_SIGTTOU_removes_one()
    {
        int port = FreePort.Next();
        await using ProcessRun run = DivvyCommand(["-n", "2", "--metrics-port", port.ToString(), "--control-token", Token, .. Job("SleepJob", "40", "300")]);
        await run.WaitForLinesAsync("started ", 2);
        (await Herd(port)).Should().Be(2);

        run.Signal(Signals.SIGTTIN);
        await WaitForHerd(port, 3, run);
        // One at a time: two identical signals sent together may arrive as one.
        run.Signal(Signals.SIGTTOU);
        await WaitForHerd(port, 2, run);
        run.Signal(Signals.SIGTTOU);
        await WaitForHerd(port, 1, run);

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);
        run.Lines("result ").Should().HaveCount(40);
    }

    [Fact]
    public async Task The_summary_reports_durations_the_slowest_items_and_worker_launches_by_reason()
    {
        await using ProcessRun run = DivvyCommand(["-n", "2", "--retries", "1", "--retry-delay", "10ms", .. Job("CrashJob", "10", "3", "exit")]);

        (await run.WaitAsync()).Should().Be(1);

        run.Stderr.Should().Contain(l => Regex.IsMatch(l, @"^divvy: durations: p50 [\d.]+ ms, p95 [\d.]+ ms, max [\d.]+ ms$"));
        run.Stderr.Should().Contain(l => l.StartsWith("divvy: slowest: item "));
        run.Stderr.Should().Contain(l => l.StartsWith("divvy: worker launches: ") && l.Contains("2 crash") && l.Contains("2 start"));
    }

    [Fact]
    public async Task A_plugged_in_logger_receives_lifecycle_and_item_events_with_the_item_and_worker_in_scope()
    {
        await using ProcessRun run = Start(Artifacts.JobsDll, ["throw", "2", "6"], new Dictionary<string, string> { ["JOBS_LOG"] = "1" });

        (await run.WaitAsync()).Should().Be(1);

        var logs = run.Lines("log ").ToList();
        logs.Should().Contain(l => l.Contains("category=Divvy.Master") && l.Contains("spawned"));
        logs.Should().Contain(l => l.Contains("level=Warning") && l.Contains("scope=Item=3,Worker=") && l.Contains("message=item 3 failed on worker"));
    }

    [Theory]
    [InlineData("30s", true)]
    [InlineData("1s", false)]
    public async Task Ctrl_C_says_what_happens_next_and_items_in_flight_get_the_shutdown_timeout(string timeout, bool finish)
    {
        await using ProcessRun run = DivvyCommand(["-v", "-n", "2", "--shutdown-timeout", timeout, .. Job("SleepJob", "6", "3000")]);
        await run.WaitForLinesAsync("started ", 2);

        run.Signal(Signals.SIGINT);

        (await run.WaitAsync(TimeSpan.FromSeconds(60))).Should().Be(130, run.AllStderr);
        string stopping = run.Stderr.Should().ContainSingle(l => l.StartsWith("divvy: stopping: ")).Subject;
        Match said = Regex.Match(stopping, $@"^divvy: stopping: (\d+) items? in flight will finish \(up to {timeout}, --shutdown-timeout\); Ctrl-C again to kill them$");
        said.Success.Should().BeTrue(stopping);
        run.Stderr.Should().Contain("divvy: interrupted: no new items start; workers finish the items they hold, then exit");
        run.AllStderr.Should().NotContain("force:");
        if (finish)
        {
            run.Lines("finished ").Should().HaveCount(int.Parse(said.Groups[1].Value), "the items in flight finish within --shutdown-timeout");
            run.AllStderr.Should().NotContain("did not stop within");
        }
        else
        {
            run.Lines("finished ").Should().BeEmpty("3 s items outlast a 1 s shutdown timeout");
            run.Stderr.Should().Contain(l => l.EndsWith(": did not stop within 1s (MasterOptions.ShutdownTimeout, divvy --shutdown-timeout)"));
        }
    }

    [Fact]
    public async Task A_second_Ctrl_C_says_it_kills_the_workers()
    {
        await using ProcessRun run = DivvyCommand(["-n", "2", .. Job("SleepJob", "4", "20000")]);
        await run.WaitForLinesAsync("started ", 2);

        run.Signal(Signals.SIGINT);
        await WaitUntil(() => run.Stderr.Any(l => l.StartsWith("divvy: stopping: ")), "the first Ctrl-C to be acknowledged");
        run.Signal(Signals.SIGINT);

        (await run.WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(143, run.AllStderr);
        run.Stderr.Should().Contain("divvy: killing workers");
        run.Lines("finished ").Should().BeEmpty();
    }

    [Fact]
    public async Task A_program_using_the_library_hears_what_Ctrl_C_does_through_its_logger()
    {
        await using ProcessRun run = Start(Artifacts.JobsDll, ["sleep", "2", "6", "3000"], new Dictionary<string, string> { ["JOBS_LOG"] = "1" });
        await run.WaitForLinesAsync("started ", 2);

        run.Signal(Signals.SIGINT);

        (await run.WaitAsync(TimeSpan.FromSeconds(60))).Should().Be(1, run.AllStderr);
        run.Lines("log ").Should().ContainSingle(l => l.Contains("level=Warning") && l.Contains("message=stopping: "))
            .Which.Should().MatchRegex(@"in flight will finish \(up to 5s, MasterOptions\.ShutdownTimeout\); Ctrl-C again to kill them$");
        run.AllStderr.Should().NotContain("stopping:", "the library logs; it does not also print");
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? (?<value>-?[0-9.eE+-]+|NaN|\+Inf|-Inf)$""")]
    private static partial Regex SampleLine();

    public void Dispose() => _http.Dispose();
}
