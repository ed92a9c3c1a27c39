using Divvy.Tests.Support;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary>
/// A Slurm worker whose connection drops without a Goodbye is judged by what Slurm says of it: a
/// signal or an exit code of its own is a crash charged to its item, as on a local worker; Slurm
/// ending it (scancel, walltime, node failure) is not the item's fault.
/// </summary>
public sealed partial class SlurmRunSpecs
{
    [SlurmFact]
    public async Task A_worker_killed_by_a_signal_in_perform_is_a_crash_charged_to_its_item_by_Slurms_record_of_the_task()
    {
        // Item 3 SIGKILLs its own worker: no last words, the connection just drops. Slurm records the
        // task as FAILED by signal 9. Taken for a lost connection, item 3 would go out again uncharged
        // and kill the next worker too.
        (ProcessRun master, string jobName) = await StartAsync(["-n", "1"], "CrashJob", "6", "3", "sigkill");

        (await master.WaitAsync(TimeSpan.FromMinutes(3))).Should().Be(1, master.AllStderr);

        ShouldChargeTheCrashToItem3(master.Lines("result "), master.AllStderr);
        master.AllStderr.Should().Contain("killed by SIGKILL (exit code 137); Slurm job ").And.Contain(": FAILED");
        await ShouldLeaveNothingQueuedAsync(jobName);
    }

    [SlurmFact]
    public async Task An_srun_step_killed_by_a_signal_in_perform_is_a_crash_charged_to_its_item_by_sruns_exit()
    {
        (string[] output, string errors) = await RunInAllocationAsync(["-n", "1"], "CrashJob", "6", "3", "sigkill");

        ShouldChargeTheCrashToItem3(output.Where(l => l.StartsWith("result ", StringComparison.Ordinal)), errors);
        errors.Should().Contain("killed by SIGKILL (exit code 137); srun step step-1");
    }

    private static void ShouldChargeTheCrashToItem3(IEnumerable<string> resultLines, string stderr)
    {
        var results = resultLines.Select(Fields).ToDictionary(r => int.Parse(r["item"]));
        results.Keys.Should().BeEquivalentTo(Enumerable.Range(1, 6), stderr);
        results[3]["status"].Should().Be("Crashed", stderr);
        results[3]["exit"].Should().Be("137");
        results.Where(r => r.Key != 3).Should().OnlyContain(r => r.Value["status"] == "Succeeded");
        string summary = stderr.Split('\n').Single(l => l.StartsWith("divvy: run completed: ", StringComparison.Ordinal));
        summary.Should().Contain(", 1 worker crash,").And.NotContain(" lost;", "a worker killed by a signal is a crash, not a lost connection");
    }
}
