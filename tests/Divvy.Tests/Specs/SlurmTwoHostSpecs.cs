using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Divvy.Tests.Support;
using Xunit.Abstractions;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary>
/// <c>divvy --launcher slurm</c> on two hosts (the network namespaces of <c>tests/slurm/two-hosts.sh</c>;
/// <c>.ci/run</c> starts them): a host cut off the network mid-run sends no FIN and no RST, so only
/// the heartbeat notices; its worker is written off, what it held is sent again, and the run ends
/// on the other host with every item settled exactly once.
/// </summary>
[Collection(ProcessCollection.Name)]
[Trait("Category", "Slurm")]
public sealed partial class SlurmTwoHostSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    // How long the host stays cut off at least: well past the 3 s heartbeat timeout the master is given.
    private static readonly TimeSpan s_cutFor = TimeSpan.FromSeconds(8);

    // Generous bounds for a loaded 2-core machine; none is a timing assertion.
    private static readonly TimeSpan s_start = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan s_noticeAtMost = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan s_queueDrain = TimeSpan.FromMinutes(2);

    private readonly List<ProcessRun> _started = [];
    private readonly List<string> _jobNames = [];
    private readonly List<string> _cutHosts = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (SlurmTwoHostCluster.Find() is not { } hosts)
        {
            return;
        }

        // Links first: a host left cut off would break every later run on this cluster.
        foreach (string host in _cutHosts)
        {
            await hosts.HealAsync(host);
        }

        foreach (ProcessRun run in _started)
        {
            await run.DisposeAsync();
        }

        foreach (string name in _jobNames)
        {
            await hosts.Slurm.CancelJobsNamedAsync(name);

            // What the run left in its directory (the error log of the worker that gave up on its master).
            string directory = RunDirectory(name);
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [SlurmTwoHostFact]
    public async Task A_host_cut_off_the_network_mid_run_loses_its_worker_and_the_other_host_settles_every_item_exactly_once()
    {
        SlurmTwoHostCluster hosts = SlurmTwoHostCluster.Find()!;

        // Each array task asks for both CPUs of a node, so the two workers run on different hosts.
        ProcessRun master = Start(
            Artifacts.CliDll,
            ["-n", "2", "--launcher", "slurm", "--listen", $"{hosts.Gateway}:0", "--heartbeat", "500ms", "--heartbeat-timeout", "3s",
             "--slurm-args", "--ntasks=1 --cpus-per-task=2", .. Job("SleepJob", "40", "500")],
            new Dictionary<string, string>(hosts.Slurm.Environment));
        _started.Add(master);
        string jobName = await SlurmCluster.JobNameOfAsync(master);
        _jobNames.Add(jobName);

        // Both workers have produced results: find which host each runs on, by the pid each printed at its start.
        await WaitUntilAsync(() => Results(master).Select(r => r["worker"]).Distinct().Count() >= 2 && master.Lines("worker number=").Count >= 2, s_start, master, "results from both workers");
        Dictionary<string, int> pids = master.Lines("worker number=").Select(Fields).ToDictionary(w => w["number"], w => int.Parse(w["pid"], CultureInfo.InvariantCulture));
        var hostOf = new Dictionary<string, string?>();
        foreach ((string worker, int pid) in pids)
        {
            hostOf[worker] = await hosts.HostOfAsync(pid);
        }

        string placement = await hosts.Slurm.RunAsync("squeue", "-h", $"--name={jobName}", "-o", "%i %T %N");
        output.WriteLine($"workers (number: pid host): {string.Join("; ", pids.Select(p => $"{p.Key}: {p.Value} {hostOf[p.Key]}"))}; squeue: {placement.Trim().Replace('\n', ';')}");
        hostOf.Values.Should().BeEquivalentTo([hosts.HostA, hosts.HostB], $"one worker runs on each host (squeue: {placement})");
        string cutWorker = hostOf.Single(h => h.Value == hosts.HostB).Key;
        string otherWorker = hostOf.Single(h => h.Value == hosts.HostA).Key;
        int cutPid = pids[cutWorker];
        int resultsBeforeCut = Results(master).Count;
        int stderrBeforeCut = master.Stderr.Count;

        // Cut host B off; keep it cut at least s_cutFor, and until the master has written its worker off
        // and the worker has given up on its master (each bounded by s_noticeAtMost).
        var sinceCut = Stopwatch.StartNew();
        _cutHosts.Add(hosts.HostB);
        await hosts.CutAsync(hosts.HostB);
        TimeSpan? killedAfter = null, lostAfter = null, exitedAfter = null;
        string? lostLine = null;
        while (sinceCut.Elapsed < s_cutFor || ((lostLine is null || exitedAfter is null) && sinceCut.Elapsed < s_noticeAtMost))
        {
            IEnumerable<string> since = master.Stderr.Skip(stderrBeforeCut);
            if (killedAfter is null && since.Any(l => l.StartsWith($"divvy: killing worker {cutWorker}, ", StringComparison.Ordinal)))
            {
                killedAfter = sinceCut.Elapsed;
            }

            if (lostLine is null && since.FirstOrDefault(l => l.Contains(" lost: ", StringComparison.Ordinal)) is { } line)
            {
                (lostLine, lostAfter) = (line, sinceCut.Elapsed);
            }

            if (exitedAfter is null && !WorkerCensus.IsAlive(cutPid))
            {
                exitedAfter = sinceCut.Elapsed;
            }

            await Task.Delay(20);
        }

        await hosts.HealAsync(hosts.HostB);
        TimeSpan cutFor = sinceCut.Elapsed;
        _cutHosts.Remove(hosts.HostB);

        int code = await master.WaitAsync(TimeSpan.FromMinutes(4));
        output.WriteLine(
            $"host {hosts.HostB} cut off for {Seconds(cutFor)}; after the cut the master killed worker {cutWorker} (pid {cutPid}) at {Seconds(killedAfter)}, " +
            $"declared it lost at {Seconds(lostAfter)}; the worker process itself exited at {Seconds(exitedAfter)} (heartbeat 0.5 s, timeout 3 s)");
        output.WriteLine(string.Join("\n", master.Stderr));
        string workerErrors = string.Join("\n", WorkerErrorLogs(jobName).Select(File.ReadAllText));
        output.WriteLine($"worker error logs: {workerErrors}");

        code.Should().Be(0, master.AllStderr);
        var results = Results(master);
        var afterCut = results.Skip(resultsBeforeCut).ToList();
        output.WriteLine($"{resultsBeforeCut} results before the cut; after it {afterCut.Count(r => r["worker"] == otherWorker)} from worker {otherWorker} on {hosts.HostA}, {afterCut.Count(r => r["worker"] == cutWorker)} from worker {cutWorker}'s replacement");
        results.Select(r => int.Parse(r["item"], CultureInfo.InvariantCulture)).Should().BeEquivalentTo(Enumerable.Range(1, 40), "every item settles exactly once: none lost, none twice");
        results.Should().OnlyContain(r => r["status"] == "Succeeded", "a host cut off is not its items' fault");
        afterCut.Should().Contain(r => r["worker"] == otherWorker, "the other host carried on");
        lostLine.Should().NotBeNull(master.AllStderr).And.StartWith($"divvy: worker {cutWorker}, ", "the lost worker is the one on the host cut off");
        string summary = master.Stderr.Single(l => l.StartsWith("divvy: run completed: ", StringComparison.Ordinal));
        summary.Should().Contain(" 0 quarantined,", "a worker lost with its host does not count against its item");
        LostPattern().Match(summary).Success.Should().BeTrue($"the summary counts the lost worker: {summary}");
        await WaitUntilAsync(async () => (await hosts.Slurm.JobsNamedAsync(jobName)).Count == 0, s_queueDrain, master, $"nothing of {jobName} left queued or running in Slurm");
        exitedAfter.Should().NotBeNull("the worker on the host cut off quits when its master falls silent, though Slurm still counts its task running");
        workerErrors.Should().Contain($"divvy worker {cutWorker}, pid {cutPid}: heard nothing from the master at {hosts.Gateway}:", "it says why it left in its task's error log");
    }

    private static List<Dictionary<string, string>> Results(ProcessRun master) => master.Lines("result ").Select(Fields).ToList();

    /// <summary>The run's directory, where the error logs of its array tasks are (see the README's "Running on a cluster").</summary>
    private static string RunDirectory(string jobName) =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".divvy", "slurm", jobName);

    private static string[] WorkerErrorLogs(string jobName) =>
        Directory.Exists(RunDirectory(jobName)) ? Directory.GetFiles(RunDirectory(jobName), "*.err") : [];

    private static string Seconds(TimeSpan? elapsed) => elapsed is { } e ? $"{e.TotalSeconds:F1} s" : "never (within the wait)";

    private static Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, ProcessRun master, string what) =>
        WaitUntilAsync(() => Task.FromResult(condition()), timeout, master, what);

    /// <summary>Polls until <paramref name="condition"/> holds; throws with the master's output after <paramref name="timeout"/>.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, ProcessRun master, string what)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited {timeout.TotalSeconds:F0} s for {what}; stdout:\n{string.Join("\n", master.Stdout)}\nstderr:\n{master.AllStderr}");
            }

            await Task.Delay(50);
        }
    }

    [GeneratedRegex(@", [1-9]\d* lost;")]
    private static partial Regex LostPattern();
}
