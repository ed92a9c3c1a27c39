using System.Runtime.InteropServices;

namespace Divvy.Launching;

/// <summary>The parent process id, which .NET does not expose; used to check a worker's marker and to notice an orphaned worker.</summary>
internal static partial class ParentProcess
{
    /// <summary>The parent's pid, or -1 where it cannot be asked cheaply (Windows).</summary>
    public static int Id => OperatingSystem.IsWindows() ? -1 : GetParentPid();

    [LibraryImport("libc", EntryPoint = "getppid")]
    private static partial int GetParentPid();
}
