using Divvy.Launching;
using Divvy.Launching.Slurm;

namespace Divvy.Tests.Launching;

/// <summary>How a worker's job ended, by Slurm's record: the engine's doing, or the worker's own.</summary>
public sealed class SlurmJobRecordTests
{
    private const string Running = "JobId=427 ArrayJobId=426 ArrayTaskId=1 JobName=wrap UserId=root(0) JobState=RUNNING Reason=None Dependency=(null) ExitCode=0:0 RunTime=00:00:02";

    [Theory]
    [InlineData("JobState=CANCELLED Reason=None ExitCode=0:15", "ConnectionLost", null, null, "Slurm job 426_1: CANCELLED")]
    [InlineData("JobState=TIMEOUT Reason=TimeLimit ExitCode=0:15", "ConnectionLost", null, null, "Slurm job 426_1: TIMEOUT (TimeLimit)")]
    [InlineData("JobState=NODE_FAIL Reason=NodeDown ExitCode=0:0", "ConnectionLost", null, null, "Slurm job 426_1: NODE_FAIL (NodeDown)")]
    [InlineData("JobState=PREEMPTED Reason=None ExitCode=0:15", "ConnectionLost", null, null, "Slurm job 426_1: PREEMPTED")]
    [InlineData("JobState=FAILED Reason=JobLaunchFailure ExitCode=0:9", "Killed", null, 9, "Slurm job 426_1: FAILED (JobLaunchFailure)")]
    [InlineData("JobState=FAILED Reason=JobLaunchFailure ExitCode=0:11", "Killed", null, 11, "Slurm job 426_1: FAILED (JobLaunchFailure)")]
    [InlineData("JobState=FAILED Reason=NonZeroExitCode ExitCode=3:0", "Exited", 3, null, "Slurm job 426_1: FAILED (NonZeroExitCode)")]
    [InlineData("JobState=OUT_OF_MEMORY Reason=OutOfMemory ExitCode=0:125", "Killed", null, 9, "Slurm job 426_1: OUT_OF_MEMORY (OutOfMemory)")]
    [InlineData("JobState=COMPLETED Reason=None ExitCode=0:0", "Exited", 0, null, "Slurm job 426_1: COMPLETED")]
    public void A_workers_end_is_the_engines_when_Slurm_ended_it_and_its_own_when_it_died_of_a_signal_or_an_exit_code(string fields, string kind, int? exitCode, int? signal, string detail)
    {
        SlurmJobRecord record = SlurmJobRecord.Parse("426_1", $"JobId=427 ArrayJobId=426 ArrayTaskId=1 JobName=wrap {fields} RunTime=00:00:02")!;

        WorkerEnd? end = record.ToWorkerEnd();

        end.Should().Be(new WorkerEnd(Enum.Parse<WorkerEndKind>(kind), exitCode, signal, detail));
    }

    [Theory]
    [InlineData(Running)]
    [InlineData("JobId=427 JobState=COMPLETING Reason=None ExitCode=0:9")]
    [InlineData("JobId=427 JobState=PENDING Reason=Resources ExitCode=0:0")]
    public void A_job_Slurm_still_has_running_says_nothing_yet_about_how_it_ended(string line)
    {
        SlurmJobRecord.Parse("426_1", line)!.ToWorkerEnd().Should().BeNull();
    }

    [Theory]
    [InlineData("")]
    [InlineData("slurm_load_jobs error: Invalid job id specified")]
    public void Output_without_a_job_state_is_no_record(string output)
    {
        SlurmJobRecord.Parse("426_1", output).Should().BeNull();
    }

    [Theory]
    [InlineData("364-23:59:58", 364, 23, 59, 58)]
    [InlineData("1:02:03", 0, 1, 2, 3)]
    [InlineData("0:45", 0, 0, 0, 45)]
    [InlineData("59:59\n", 0, 0, 59, 59)]
    public void Slurms_time_left_reads_in_each_of_its_forms(string text, int days, int hours, int minutes, int seconds)
    {
        SlurmTimeLeft.Parse(text).Should().Be(new TimeSpan(days, hours, minutes, seconds));
    }

    [Theory]
    [InlineData("UNLIMITED")]
    [InlineData("NOT_SET")]
    [InlineData("INVALID")]
    [InlineData("")]
    [InlineData("1-2-3")]
    public void A_time_left_that_is_no_duration_is_no_limit(string text)
    {
        SlurmTimeLeft.Parse(text).Should().BeNull();
    }

    [Theory]
    [InlineData("slurmstepd-vm: error: *** STEP 429.3 ON vm CANCELLED AT 2026-11-30T17:06:59 ***", true)]
    [InlineData("slurmstepd: error: *** STEP 12.0 ON n1 CANCELLED AT 2026-11-30T17:06:59 DUE TO TIME LIMIT ***", true)]
    [InlineData("slurmstepd: error: *** JOB 12 ON n1 CANCELLED AT 2026-11-30T17:06:59 DUE TO NODE FAILURE ***", true)]
    [InlineData("srun: error: vm: task 0: Killed", false)]
    [InlineData("*** my own job printed this, CANCELLED AT noon ***", false)]
    public void Srun_saying_Slurm_cancelled_the_step_is_told_from_the_workers_own_output(string line, bool slurmEndedIt)
    {
        SlurmStep.SaysSlurmEndedIt(line).Should().Be(slurmEndedIt);
    }
}
