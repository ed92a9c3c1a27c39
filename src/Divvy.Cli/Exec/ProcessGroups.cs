using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Divvy.Cli.Exec;

/// <summary>
/// Each task runs as the leader of its own session and process group (through <c>setsid</c>), so
/// a timeout or a shutdown can kill everything the task started, grandchildren included. Groups
/// still running when the worker exits are killed on the way out.
/// </summary>
internal static partial class ProcessGroups
{
    private const int SIGTERM = 15;
    private const int SIGKILL = 9;
    private static readonly ConcurrentDictionary<int, Process> s_running = new();

    static ProcessGroups()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (Process process in s_running.Values)
            {
                Kill(process);
            }
        };
    }

    /// <summary>The <c>setsid</c> program, or null where there is none (then only the process tree is killed).</summary>
    public static string? Setsid { get; } = new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists);

    public static void Track(Process process) => s_running[process.Id] = process;

    public static void Untrack(Process process) => s_running.TryRemove(process.Id, out _);

    /// <summary>
    /// Asks the task's whole group to stop (SIGTERM), so it can run its handlers. Returns
    /// <c>false</c> where that cannot be done (no setsid, Windows): then the caller kills at once.
    /// </summary>
    public static bool Terminate(Process process) =>
        Setsid is not null && !OperatingSystem.IsWindows() && KillGroup(-process.Id, SIGTERM) == 0;

    /// <summary>Kills the task's whole group (or, without setsid, its process tree). Safe after exit.</summary>
    public static void Kill(Process process)
    {
        if (Setsid is not null && !OperatingSystem.IsWindows())
        {
            _ = KillGroup(-process.Id, SIGKILL);
            return;
        }

        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <summary>Sends <paramref name="signal"/> to the process group <paramref name="group"/> (the id of its leader); <c>false</c> when it has no process left.</summary>
    public static bool SignalGroup(int group, int signal) => !OperatingSystem.IsWindows() && KillGroup(-group, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int KillGroup(int pid, int signal);
}
