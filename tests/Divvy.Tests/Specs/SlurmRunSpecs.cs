using System.Text;
using System.Text.RegularExpressions;
using Divvy.Tests.Support;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary>
/// <c>divvy --launcher slurm</c> on the local Slurm cluster (<c>tests/slurm</c>; <c>.ci/run</c> starts
/// it): workers are the tasks of a job array, dial back over TCP with the run's token file, and
/// nothing of the run stays in Slurm's queue when it ends, however it ends.
/// </summary>
[Collection(ProcessCollection.Name)]
[Trait("Category", "Slurm")]
public sealed partial class SlurmRunSpecs : IAsyncLifetime
{
    private static readonly TimeSpan s_queueDrain = TimeSpan.FromSeconds(60);
    private readonly List<ProcessRun> _started = [];
    private readonly List<string> _jobNames = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (ProcessRun run in _started)
        {
            await run.DisposeAsync();
        }

        // Whatever a spec left in Slurm's queue goes, whatever its outcome, and so does the run's
        // directory (a master killed outright leaves its token there; a cancelled task, its log).
        if (SlurmCluster.Find() is { } cluster)
        {
            foreach (string name in _jobNames)
            {
                await cluster.CancelJobsNamedAsync(name);
            }
        }

        foreach (string name in _jobNames)
        {
            string directory = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".divvy", "slurm", name);
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [SlurmFact]
    public async Task A_run_on_Slurm_performs_every_item_once_on_workers_from_a_job_array_and_leaves_nothing_queued()
    {
        (ProcessRun master, string jobName) = await StartAsync(["-n", "3"], "EchoJob", "60", "20");

        (await master.WaitAsync(TimeSpan.FromMinutes(3))).Should().Be(0, master.AllStderr);

        var results = master.Lines("result ").Select(Fields).ToList();
        results.Select(r => int.Parse(r["item"])).Should().BeEquivalentTo(Enumerable.Range(1, 60), "every item settles exactly once");
        results.Should().OnlyContain(r => r["status"] == "Succeeded" && int.Parse(r["value"]) == 2 * int.Parse(r["item"]));
        results.Select(r => r["worker"]).Distinct().Should().HaveCountGreaterThan(1, "the array's tasks shared the items");
        master.Stderr.Should().Contain(l => l.StartsWith("divvy: submitted Slurm job array ", StringComparison.Ordinal) && l.Contains("(3 workers", StringComparison.Ordinal));
        await ShouldLeaveNothingQueuedAsync(jobName);
    }

    [SlurmFact]
    public async Task More_workers_than_the_clusters_MaxArraySize_are_submitted_as_several_arrays()
    {
        // tests/slurm's cluster sets MaxArraySize=4: six workers are an array of 4 and one of 2.
        (ProcessRun master, string jobName) = await StartAsync(["-n", "6"], "EchoJob", "120", "30");

        (await master.WaitAsync(TimeSpan.FromMinutes(3))).Should().Be(0, master.AllStderr);

        master.Stderr.Where(l => l.StartsWith("divvy: submitted Slurm job array ", StringComparison.Ordinal))
            .Select(l => Regex.Match(l, @"\((\d+) workers?,").Groups[1].Value)
            .Should().Equal(["4", "2"], master.AllStderr);
        master.Lines("result ").Select(Fields).Select(r => int.Parse(r["item"])).Should().BeEquivalentTo(Enumerable.Range(1, 120));
        await ShouldLeaveNothingQueuedAsync(jobName);
    }

    [SlurmFact]
    public async Task The_token_is_in_no_job_record_batch_script_or_command_line()
    {
        (ProcessRun master, string jobName) = await StartAsync(["-n", "2"], "SleepJob", "8", "500");
        await master.WaitForLinesAsync("result ", 1, TimeSpan.FromMinutes(2));
        SlurmCluster cluster = SlurmCluster.Find()!;
        string token = await ReadTokenAsync(jobName);
        string jobId = (await cluster.JobsNamedAsync(jobName)).First().Split(' ')[0].Split('_')[0];

        string record = await cluster.RunAsync("scontrol", "show", "job", "-d", jobId);
        string script = await cluster.RunAsync("scontrol", "write", "batch_script", jobId, "-");
        string queue = await cluster.RunAsync("squeue", "-h", "-o", "%all");
        string commandLines = string.Join("\n", Directory.GetDirectories("/proc").Select(CommandLine));

        record.Should().Contain(jobName).And.NotContain(token);
        script.Should().Contain("exec ").And.NotContain(token);
        queue.Should().NotContain(token);
        commandLines.Should().NotContain(token);
        (await master.WaitAsync(TimeSpan.FromMinutes(3))).Should().Be(0, master.AllStderr);
        master.Lines("started item=").Should().HaveCount(8, "what array workers print comes back to the master's stdout, not into files");
        await ShouldLeaveNothingQueuedAsync(jobName);
    }

    [SlurmFact]
    public async Task A_partition_Slurm_refuses_ends_the_run_at_once_with_Slurms_own_message()
    {
        ProcessRun master = Track(Start(Artifacts.CliDll, ["-n", "2", "--launcher", "slurm", "--listen", "127.0.0.1:0", "--partition", "no-such-partition", .. Job("EchoJob", "5", "1")], new Dictionary<string, string>(SlurmCluster.Find()!.Environment)));

        int code = await master.WaitAsync(TimeSpan.FromMinutes(1));

        code.Should().Be(8, master.AllStderr);
        master.Stderr.Should().Contain(l => l.Contains("sbatch refused the run's 2 worker(s)", StringComparison.Ordinal) && l.Contains("no-such-partition", StringComparison.Ordinal), master.AllStderr);
    }

    [SlurmFact]
    public async Task An_array_that_never_starts_ends_the_run_after_the_connect_timeout_with_Slurms_reason_and_is_cancelled()
    {
        // --begin an hour from now: the tasks stay PENDING (BeginTime).
        (ProcessRun master, string jobName) = await StartAsync(["-n", "2", "--connect-timeout", "5s", "--slurm-args", "--begin=now+3600"], "EchoJob", "5", "1");

        int code = await master.WaitAsync(TimeSpan.FromMinutes(2));

        code.Should().Be(8, master.AllStderr);
        master.AllStderr.Should().Contain("no worker connected").And.Contain("PENDING (BeginTime)");
        await ShouldLeaveNothingQueuedAsync(jobName);
    }

    [SlurmFact]
    public async Task A_master_killed_outright_leaves_no_worker_running_in_Slurm()
    {
        (ProcessRun master, string jobName) = await StartAsync(["-n", "2"], "SleepJob", "40", "500");
        await master.WaitForLinesAsync("result ", 2, TimeSpan.FromMinutes(2));

        master.Signal(Signals.SIGKILL);

        // No one cancels anything: each worker sees its master's connection end, and exits, which ends its task.
        await ShouldLeaveNothingQueuedAsync(jobName);
    }

    [SlurmFact]
    public async Task A_worker_cancelled_by_Slurm_mid_run_loses_no_item()
    {
        (ProcessRun master, string jobName) = await StartAsync(["-n", "3"], "SleepJob", "30", "300");
        await master.WaitForLinesAsync("result ", 3, TimeSpan.FromMinutes(2));
        SlurmCluster cluster = SlurmCluster.Find()!;
        string task = (await cluster.JobsNamedAsync(jobName)).First(l => l.Contains("RUNNING", StringComparison.Ordinal)).Split(' ')[0];

        await cluster.RunAsync("scancel", task);

        (await master.WaitAsync(TimeSpan.FromMinutes(3))).Should().Be(0, master.AllStderr);
        var results = master.Lines("result ").Select(Fields).ToList();
        results.Select(r => int.Parse(r["item"])).Should().BeEquivalentTo(Enumerable.Range(1, 30), "every item settles exactly once");
        results.Should().OnlyContain(r => r["status"] == "Succeeded", "a worker Slurm cancelled is not its item's fault");
        await ShouldLeaveNothingQueuedAsync(jobName);
    }

    [SlurmFact]
    public async Task A_worker_near_its_walltime_takes_no_item_it_could_not_finish_and_a_replacement_carries_on()
    {
        // Walltime 1 minute (Slurm's smallest), items of 8 s: each first worker stops taking items
        // about 18 s before its end (the longest item plus a 10 s margin), Slurm starts another in
        // its slot, and no item is cut off by the walltime (a cut-off worker would be a lost one).
        // The limit goes to sbatch as an extra argument, not as --time: the master learns each
        // worker's walltime from Slurm (squeue's time left), as it would from a partition's default.
        (ProcessRun master, string jobName) = await StartAsync(["-n", "2", "-v", "--slurm-args", "--time=1"], "SleepJob", "16", "8000");

        (await master.WaitAsync(TimeSpan.FromMinutes(4))).Should().Be(0, master.AllStderr);

        var results = master.Lines("result ").Select(Fields).ToList();
        results.Select(r => int.Parse(r["item"])).Should().BeEquivalentTo(Enumerable.Range(1, 16), "every item settles exactly once");
        results.Should().OnlyContain(r => r["status"] == "Succeeded");
        master.Stderr.Should().Contain(l => l.Contains("takes no more items", StringComparison.Ordinal) && l.Contains("left of its walltime", StringComparison.Ordinal), master.AllStderr);
        string summary = master.Stderr.Single(l => l.StartsWith("divvy: run completed: ", StringComparison.Ordinal));
        summary.Should().Contain(", 0 worker crashes,").And.NotContain(" lost;", "no worker was ended by its walltime");
        int spawned = int.Parse(Regex.Match(summary, @"(\d+) workers spawned").Groups[1].Value);
        spawned.Should().BeGreaterThan(2, "Slurm started replacements for the workers that retired before their walltime");
        await ShouldLeaveNothingQueuedAsync(jobName);
    }

    [SlurmFact]
    public async Task Growing_the_run_with_SIGTTIN_submits_another_worker_to_Slurm()
    {
        (ProcessRun master, string jobName) = await StartAsync(["-n", "1"], "SleepJob", "24", "400");
        await master.WaitForLinesAsync("result ", 1, TimeSpan.FromMinutes(2));

        master.Signal(Signals.SIGTTIN);

        (await master.WaitAsync(TimeSpan.FromMinutes(3))).Should().Be(0, master.AllStderr);
        master.Stderr.Where(l => l.StartsWith("divvy: submitted Slurm job array ", StringComparison.Ordinal))
            .Should().HaveCount(2, master.AllStderr).And.OnlyContain(l => l.Contains("(1 worker,", StringComparison.Ordinal));
        master.Lines("result ").Select(Fields).Select(r => r["worker"]).Distinct().Should().BeEquivalentTo(["1", "2"], "the second worker took items too");
        await ShouldLeaveNothingQueuedAsync(jobName);
    }

    [SlurmFact]
    public async Task Shrinking_the_run_with_SIGTTOU_cancels_a_worker_still_pending_in_Slurm()
    {
        // Each task asks for all 8 CPUs of the local node: the second one stays PENDING (Resources).
        (ProcessRun master, string jobName) = await StartAsync(["-n", "1", "--slurm-args", "--cpus-per-task=8"], "SleepJob", "16", "500");
        await master.WaitForLinesAsync("result ", 1, TimeSpan.FromMinutes(2));
        master.Signal(Signals.SIGTTIN);
        SlurmCluster cluster = SlurmCluster.Find()!;
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!(await cluster.JobsNamedAsync(jobName)).Any(l => l.EndsWith(" PENDING", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        master.Signal(Signals.SIGTTOU);

        string cancelled = await master.WaitForStderrLineAsync("divvy: cancelled Slurm task ", TimeSpan.FromMinutes(1));
        cancelled.Should().Contain("still pending");
        (await cluster.JobsNamedAsync(jobName)).Should().NotContain(l => l.EndsWith(" PENDING", StringComparison.Ordinal), "the pending task left the queue at once, not when the run ended");
        (await master.WaitAsync(TimeSpan.FromMinutes(3))).Should().Be(0, master.AllStderr);
        master.Lines("result ").Select(Fields).Select(r => int.Parse(r["item"])).Should().BeEquivalentTo(Enumerable.Range(1, 16));
        await ShouldLeaveNothingQueuedAsync(jobName);
    }

    [SlurmFact]
    public async Task Inside_an_allocation_workers_are_srun_steps_of_it_and_their_output_reaches_the_master()
    {
        (string[] output, string errors) = await RunInAllocationAsync(["-n", "2"], "SleepJob", "10", "50");

        output.Where(l => l.StartsWith("result ", StringComparison.Ordinal)).Select(Fields).Select(r => int.Parse(r["item"]))
            .Should().BeEquivalentTo(Enumerable.Range(1, 10), errors);
        output.Should().Contain(l => l.StartsWith("started item=", StringComparison.Ordinal), "what a step's worker prints comes back through srun to the master's stdout");
        errors.Should().Contain("divvy: started 2 worker(s) as srun steps of Slurm job");
    }

    /// <summary>
    /// Runs <c>divvy --launcher slurm</c> as a batch job of 3 tasks, so its workers are steps of that
    /// allocation; waits until it has left the queue and returns what it wrote to stdout and stderr.
    /// </summary>
    private async Task<(string[] Output, string Errors)> RunInAllocationAsync(string[] flags, string job, params string[] args)
    {
        SlurmCluster cluster = SlurmCluster.Find()!;
        string directory = Directory.CreateTempSubdirectory("divvy-slurm-steps-").FullName;
        string jobName = $"divvy-steps-spec-{Guid.NewGuid():N}"[..32];
        _jobNames.Add(jobName);
        try
        {
            string master = SlurmScript(["dotnet", Artifacts.CliDll, .. flags, "--launcher", "slurm", "--listen", "127.0.0.1:0", .. Job(job, args)]);
            await cluster.RunAsync("sbatch", "--parsable", "-n", "3", $"--job-name={jobName}", $"--output={Path.Combine(directory, "master.out")}", $"--error={Path.Combine(directory, "master.err")}", $"--chdir={Artifacts.RepositoryRoot}", "--wrap", master);

            await ShouldLeaveNothingQueuedAsync(jobName);
            return (await File.ReadAllLinesAsync(Path.Combine(directory, "master.out")), await File.ReadAllTextAsync(Path.Combine(directory, "master.err")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Starts <c>divvy --launcher slurm --listen 127.0.0.1:0</c> and reads the run's Slurm job name from what it prints.</summary>
    private async Task<(ProcessRun Master, string JobName)> StartAsync(string[] flags, string job, params string[] args)
    {
        SlurmCluster cluster = SlurmCluster.Find()!;
        ProcessRun master = Track(Start(Artifacts.CliDll, [.. flags, "--launcher", "slurm", "--listen", "127.0.0.1:0", "--heartbeat-timeout", "10s", .. Job(job, args)], new Dictionary<string, string>(cluster.Environment)));
        string jobName = await SlurmCluster.JobNameOfAsync(master);
        _jobNames.Add(jobName);
        return (master, jobName);
    }

    private ProcessRun Track(ProcessRun run)
    {
        _started.Add(run);
        return run;
    }

    private static async Task ShouldLeaveNothingQueuedAsync(string jobName)
    {
        SlurmCluster cluster = SlurmCluster.Find()!;
        DateTime deadline = DateTime.UtcNow + s_queueDrain;
        IReadOnlyList<string> left;
        while ((left = await cluster.JobsNamedAsync(jobName)).Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        left.Should().BeEmpty($"nothing of {jobName} should stay queued or running in Slurm");
    }

    private static async Task<string> ReadTokenAsync(string jobName)
    {
        string file = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".divvy", "slurm", jobName, "token");
        return (await File.ReadAllTextAsync(file)).Trim();
    }

    private static string CommandLine(string procDirectory)
    {
        try
        {
            return Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(procDirectory, "cmdline"))).Replace('\0', ' ');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>A shell command line with every word single-quoted.</summary>
    private static string SlurmScript(IEnumerable<string> words) => string.Join(" ", words.Select(w => "'" + w.Replace("'", "'\\''") + "'"));

}
