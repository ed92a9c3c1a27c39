using System.Text;

namespace Divvy.Tests.Support;

/// <summary>
/// Finds the live worker processes of a given master by the marker in their original environment
/// (/proc/PID/environ keeps what exec received even after the worker clears the variable).
/// </summary>
internal static class WorkerCensus
{
    public static IReadOnlyList<int> LiveWorkersOf(int masterPid)
    {
        string needle = $"DIVVY_INTERNAL_WORKER_CHANNEL=v1;master={masterPid};";
        var found = new List<int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
            {
                continue;
            }

            try
            {
                if (IsZombie(dir))
                {
                    continue;
                }

                string environ = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(dir, "environ")));
                if (environ.Contains(needle, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process exited while we looked, or is not ours to read.
            }
        }

        return found;
    }

    public static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}") && !IsZombie($"/proc/{pid}");

    /// <summary>Waits up to <paramref name="timeout"/> until the master has <paramref name="count"/> live workers; returns those it has then.</summary>
    public static async Task<IReadOnlyList<int>> WaitForCountAsync(int masterPid, int count, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        IReadOnlyList<int> live;
        while ((live = LiveWorkersOf(masterPid)).Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        return live;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for every worker of the master to be gone.</summary>
    public static async Task<IReadOnlyList<int>> WaitUntilNoneAsync(int masterPid, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        IReadOnlyList<int> live;
        while ((live = LiveWorkersOf(masterPid)).Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        return live;
    }

    private static bool IsZombie(string dir)
    {
        try
        {
            string stat = File.ReadAllText(Path.Combine(dir, "stat"));
            int close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] is 'Z' or 'X';
        }
        catch (IOException)
        {
            return true;
        }
    }
}
