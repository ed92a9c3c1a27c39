using System.Security.Cryptography;
using Divvy.Transport.Tcp;

namespace Divvy.Launching.Slurm;

/// <summary>
/// A Slurm run's own directory, <c>~/.divvy/slurm/JOBNAME</c> (mode 0700; the home directory is
/// the one place a cluster's nodes usually share with the login node): the token file workers read,
/// unless the run was given one, and the stderr of workers that could not reach the master. When
/// the run ends, the token it created and empty logs are deleted, and the directory with them when
/// nothing is left.
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

    /// <exception cref="RunSetupException">The directory or the token file cannot be created.</exception>
    public static SlurmRunFiles Create(string? tokenFile)
    {
        string app = Path.GetFileNameWithoutExtension(Environment.GetCommandLineArgs()[0]);
        string jobName = $"divvy-{(app.Length > 0 ? app : "run")}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string directory = Path.Combine(home.Length > 0 ? home : Path.GetTempPath(), ".divvy", "slurm", jobName);
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

    public void Dispose()
    {
        try
        {
            if (_ownsToken)
            {
                File.Delete(TokenFile);
            }

            foreach (string log in System.IO.Directory.EnumerateFiles(Directory, "*.err"))
            {
                if (new FileInfo(log).Length == 0)
                {
                    File.Delete(log);
                }
            }

            using IEnumerator<string> left = System.IO.Directory.EnumerateFileSystemEntries(Directory).GetEnumerator();
            if (!left.MoveNext())
            {
                System.IO.Directory.Delete(Directory);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left behind: harmless, and its name says which run it was.
        }
    }
}
