using System.Globalization;

namespace Divvy.Launching.Slurm;

/// <summary>
/// The <c>master</c> file in a Slurm run's directory: <c>HOST PID STARTTIME</c> (the start time from
/// <c>/proc/PID/stat</c>, so a reused pid is not taken for the master). A run whose master is gone
/// from this host has its token and empty logs deleted by the next run here.
/// </summary>
internal static class SlurmRunOwner
{
    private const string FileName = "master";

    /// <summary>Names this process as the run's master.</summary>
    public static void Write(string directory)
    {
        if (StartTime(Environment.ProcessId) is { } started)
        {
            File.WriteAllText(Path.Combine(directory, FileName), string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName} {Environment.ProcessId} {started}\n"));
        }
    }

    public static void Delete(string directory) => File.Delete(Path.Combine(directory, FileName));

    /// <summary>Cleans up the directories under <paramref name="root"/> whose master ran on this host and is gone (Linux, where a process's start time can be read).</summary>
    public static void SweepOrphans(string root)
    {
        if (!OperatingSystem.IsLinux() || !System.IO.Directory.Exists(root))
        {
            return;
        }

        try
        {
            foreach (string directory in System.IO.Directory.EnumerateDirectories(root))
            {
                if (IsOrphan(directory))
                {
                    string token = Path.Combine(directory, "token");
                    SlurmRunFiles.CleanUp(directory, File.Exists(token) ? token : null);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Another run's directory is not this run's business when it cannot be read.
        }
    }

    /// <summary>Whether the directory's master ran on this host and is no longer running.</summary>
    public static bool IsOrphan(string directory)
    {
        string file = Path.Combine(directory, FileName);
        if (!File.Exists(file))
        {
            return false;
        }

        string[] fields = File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return fields.Length == 3
            && fields[0] == Environment.MachineName
            && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
            && StartTime(pid)?.ToString(CultureInfo.InvariantCulture) != fields[2];
    }

    /// <summary>Field 22 of <c>/proc/PID/stat</c> (clock ticks after boot); <c>null</c> when there is no such process.</summary>
    private static long? StartTime(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");

            // The command name (field 2) is in parentheses and may hold spaces: count after its end.
            string[] rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(rest[19], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
