using System.Security.Cryptography;
using Divvy.Transport.Tcp;

namespace Divvy.Launching.Slurm;

/// <summary>
/// A Slurm run's own directory, <c>~/.divvy/slurm/JOBNAME</c> (mode 0700; the home directory is
/// the one place a cluster's nodes usually share with the login node): the token file workers read,
/// unless the run was given one, and the stderr of workers that could not reach the master. When
/// the run ends, the token it created and empty logs are deleted, and the directory with them when
/// nothing is left. A master killed outright cannot clean up: each directory names its master
/// (<c>master</c>: host, pid and the process's start time), and the next run on the same host
/// deletes the token and empty logs of runs whose master is gone.
/// </summary>
internal sealed class SlurmRunFiles : IDisposable
{
    private readonly bool _ownsToken;

    private SlurmRunFiles(string jobName, string directory, string tokenFile, bool ownsToken)
    {
        JobName = jobName;
        Directory = directory;
        TokenFile = tokenFile;
        _ownsToken = ownsToken;
    }

    /// <summary><c>divvy-APP-RANDOM</c>: what <c>squeue --name</c> finds the run's jobs by.</summary>
    public string JobName { get; }

    public string Directory { get; }

    public string TokenFile { get; }

    /// <summary><c>sbatch --error</c>'s file name pattern: one file per array task.</summary>
    public string ErrorLogPattern => Path.Combine(Directory, "%x-%A_%a.err");

    /// <summary>Where runs' directories go: <c>~/.divvy/slurm</c>.</summary>
    public static string DefaultRoot
    {
        get
        {
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return Path.Combine(home.Length > 0 ? home : Path.GetTempPath(), ".divvy", "slurm");
        }
    }

    /// <param name="tokenFile">The token file the run was given; <c>null</c> to create one in the run's directory.</param>
    /// <param name="root">Where runs' directories go (<see cref="DefaultRoot"/>).</param>
    /// <exception cref="RunSetupException">The directory or the token file cannot be created.</exception>
    public static SlurmRunFiles Create(string? tokenFile, string? root = null)
    {
        string app = Path.GetFileNameWithoutExtension(Environment.GetCommandLineArgs()[0]);
        string jobName = $"divvy-{(app.Length > 0 ? app : "run")}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        root ??= DefaultRoot;
        string directory = Path.Combine(root, jobName);
        SlurmRunOwner.SweepOrphans(root);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                System.IO.Directory.CreateDirectory(directory);
            }
            else
            {
                // Only its owner may look inside: the token file is in it.
                System.IO.Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            SlurmRunOwner.Write(directory);
            if (tokenFile is not null)
            {
                return new SlurmRunFiles(jobName, directory, Path.GetFullPath(tokenFile), ownsToken: false);
            }

            string path = Path.Combine(directory, "token");
            _ = TcpToken.LoadOrCreate(path, out _);
            return new SlurmRunFiles(jobName, directory, path, ownsToken: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new RunSetupException($"cannot prepare the Slurm run's directory {directory}: {ex.Message}", ex);
        }
    }

    public void Dispose() => CleanUp(Directory, _ownsToken ? TokenFile : null);

    /// <summary>Deletes a run's token (when it made it), its owner file and empty logs, and the directory when nothing is left.</summary>
    internal static void CleanUp(string directory, string? tokenFile)
    {
        try
        {
            if (tokenFile is not null)
            {
                File.Delete(tokenFile);
            }

            SlurmRunOwner.Delete(directory);
            foreach (string log in System.IO.Directory.EnumerateFiles(directory, "*.err"))
            {
                if (new FileInfo(log).Length == 0)
                {
                    File.Delete(log);
                }
            }

            using IEnumerator<string> left = System.IO.Directory.EnumerateFileSystemEntries(directory).GetEnumerator();
            if (!left.MoveNext())
            {
                System.IO.Directory.Delete(directory);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left behind: harmless, and its name says which run it was.
        }
    }
}
