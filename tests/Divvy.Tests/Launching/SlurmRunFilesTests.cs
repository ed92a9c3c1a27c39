using Divvy.Launching.Slurm;

namespace Divvy.Tests.Launching;

/// <summary>A Slurm run's directory: its token goes with the run, and with a run whose master was killed outright, at the next run on the host.</summary>
public sealed class SlurmRunFilesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("divvy-slurm-runs-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_run_names_its_master_in_its_directory_and_leaves_nothing_when_it_ends()
    {
        SlurmRunFiles files = SlurmRunFiles.Create(null, _root);

        File.ReadAllText(Path.Combine(files.Directory, "master")).Should().StartWith($"{Environment.MachineName} {Environment.ProcessId} ");
        File.Exists(files.TokenFile).Should().BeTrue();

        files.Dispose();

        Directory.Exists(files.Directory).Should().BeFalse();
    }

    [Fact]
    public void The_token_of_a_run_whose_master_is_gone_from_this_host_is_deleted_by_the_next_run_and_its_worker_errors_kept()
    {
        // This pid with another start time: the pid was reused, the master that wrote it is gone.
        string dead = Run("divvy-dead-1", $"{Environment.MachineName} {Environment.ProcessId} 1");

        using SlurmRunFiles next = SlurmRunFiles.Create(null, _root);

        File.Exists(Path.Combine(dead, "token")).Should().BeFalse("no one may dial a run that is over with its token");
        File.Exists(Path.Combine(dead, "empty.err")).Should().BeFalse();
        File.ReadAllText(Path.Combine(dead, "said.err")).Should().Be("cannot reach the master\n", "what a worker said is the user's to read");
        File.Exists(Path.Combine(dead, "master")).Should().BeFalse();
    }

    [Fact]
    public void The_directories_of_running_masters_and_of_other_hosts_are_left_alone()
    {
        string live = Run("divvy-live-1", null);
        SlurmRunOwner.Write(live);
        string elsewhere = Run("divvy-elsewhere-1", $"another-host-{Guid.NewGuid():N} {Environment.ProcessId} 1");

        using SlurmRunFiles next = SlurmRunFiles.Create(null, _root);

        File.Exists(Path.Combine(live, "token")).Should().BeTrue();
        File.Exists(Path.Combine(elsewhere, "token")).Should().BeTrue();
    }

    private string Run(string name, string? master)
    {
        string directory = Directory.CreateDirectory(Path.Combine(_root, name)).FullName;
        File.WriteAllText(Path.Combine(directory, "token"), new string('a', 64));
        File.WriteAllText(Path.Combine(directory, "empty.err"), "");
        File.WriteAllText(Path.Combine(directory, "said.err"), "cannot reach the master\n");
        if (master is not null)
        {
            File.WriteAllText(Path.Combine(directory, "master"), master + "\n");
        }

        return directory;
    }
}
