using System.Runtime.InteropServices;

namespace Divvy.Worker;

/// <summary>
/// A worker's pipe ends arrive inheritable (that is how they crossed the exec). Marking them
/// close-on-exec again keeps them out of any process the job starts: a grandchild holding the
/// pipes would hide the worker's death from the master, and the master's death from the worker.
/// </summary>
internal static partial class FileDescriptors
{
    private const int F_GETFD = 1;
    private const int F_SETFD = 2;
    private const int FD_CLOEXEC = 1;

    public static void SetCloseOnExec(SafeHandle handle)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int fd = (int)handle.DangerousGetHandle();
        int flags = Fcntl(fd, F_GETFD, 0);
        if (flags >= 0)
        {
            _ = Fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
        }
    }

    [LibraryImport("libc", EntryPoint = "fcntl")]
    private static partial int Fcntl(int fd, int command, int argument);
}
