using Divvy.Launching.Slurm;

namespace Divvy.Tests.Launching;

public sealed class SlurmTextTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("42_0 PENDING BeginTime\n42_1 PENDING BeginTime\n", "2 PENDING (BeginTime)")]
    [InlineData("42_0 RUNNING None\n42_1 RUNNING None\n42_2 RUNNING None\n42_[3] PENDING Resources\n", "3 RUNNING, 1 PENDING (Resources)")]
    [InlineData("42_0 PENDING (PartitionDown)\nnonsense\n", "1 PENDING (PartitionDown)")]
    public void Squeue_lines_are_counted_by_state_and_reason_most_first(string squeue, string summary)
    {
        SlurmQueue.Summarize(squeue).Should().Be(summary);
    }

    [Theory]
    [InlineData("/usr/bin/dotnet", new[] { "job.dll" }, "'/usr/bin/dotnet' 'job.dll'")]
    [InlineData("./Job", new[] { "a b", "it's", "$HOME", "`id`" }, @"'./Job' 'a b' 'it'\''s' '$HOME' '`id`'")]
    public void The_workers_command_line_is_quoted_so_the_batch_shell_interprets_nothing(string file, string[] arguments, string line)
    {
        SlurmScript.Quote(file, arguments).Should().Be(line);
    }

    [Theory]
    [InlineData("Configuration data as of 2026-11-30T15:00:00\nMaxArraySize            = 4\nMaxJobCount             = 10000\n", 4)]
    [InlineData("MaxArraySize = 1001\n", 1001)]
    [InlineData("MaxJobCount = 10000\n", SlurmConfig.DefaultMaxArraySize)]
    [InlineData("MaxArraySize = 0\n", SlurmConfig.DefaultMaxArraySize)]
    [InlineData("MaxArraySize = lots\n", SlurmConfig.DefaultMaxArraySize)]
    public void The_clusters_MaxArraySize_is_read_from_scontrol_show_config(string config, int size)
    {
        SlurmConfig.MaxArraySize(config).Should().Be(size);
    }
}
