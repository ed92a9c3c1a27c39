using Divvy.Tests.Support;

namespace Divvy.Tests.Specs;

/// <summary>
/// The cluster the Slurm specs run on (tests/slurm/start-local-slurm.sh) takes a job array and runs it
/// to completion, and the fixture sees it come and go: what every Divvy-on-Slurm spec relies on.
/// </summary>
[Collection(ProcessCollection.Name)]
[Trait("Category", "Slurm")]
public sealed class SlurmClusterSpecs
{
    // Generous: scheduling on a loaded 2-core machine; the array takes a few seconds when idle.
    private static readonly TimeSpan s_jobTimeout = TimeSpan.FromSeconds(60);

    [SlurmFact]
    public async Task A_job_array_submitted_to_the_local_cluster_runs_every_task_to_completion_and_leaves_the_queue()
    {
        SlurmCluster cluster = SlurmCluster.Find()!;
        string name = "divvy-smoke-" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            // --parsable prints "ID" or "ID;CLUSTER".
            string submitted = await cluster.RunAsync("sbatch", "--parsable", "--array=0-2", $"--job-name={name}", "--output=/dev/null", "--wrap", "true");
            string jobId = submitted.Trim().Split(';')[0];
            jobId.Should().MatchRegex(@"^\d+$", "sbatch --parsable prints the job id; it printed '{0}'", submitted);

            IReadOnlyList<string> queued = await cluster.JobsNamedAsync(name);
            DateTime deadline = DateTime.UtcNow + s_jobTimeout;
            while (queued.Count > 0)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"job {jobId} ({name}) still in squeue after {s_jobTimeout.TotalSeconds} s: {string.Join("; ", queued)}");
                }

                await Task.Delay(200);
                queued = await cluster.JobsNamedAsync(name);
            }

            // The controller keeps finished jobs for MinJobAge (300 s): one record per array task.
            string[] tasks = (await cluster.RunAsync("scontrol", "-o", "show", "job", jobId))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries);
            tasks.Should().HaveCount(3, "the array has tasks 0, 1 and 2");
            tasks.Should().OnlyContain(t => t.Contains("JobState=COMPLETED", StringComparison.Ordinal), "every task ran 'true' and exited 0");
        }
        finally
        {
            await cluster.CancelJobsNamedAsync(name);
        }
    }
}
