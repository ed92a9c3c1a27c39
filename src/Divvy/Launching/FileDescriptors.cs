using System.Runtime.InteropServices;

namespace Divvy.Launching;

/// <summary>The two descriptor settings Divvy's pipes need, through fcntl(2).</summary>
internal static partial class FileDescriptors
{
    /// <summary>What Linux lets an unprivileged process ask for (/proc/sys/fs/pipe-max-size).</summary>
    public const int PipeCapacity = 1024 * 1024;

    /// <summary>
    /// Payload bytes worth keeping in flight to one local worker (its channel's preferred window):
    /// enough to cover a round trip at pipe speed, and a quarter of what the pipe holds. More only
    /// keeps more payloads alive in the master, where they outlive collections and are copied from
    /// generation to generation (measured with 2,000 items of 64 KiB: 16 gen2 collections at 1 MiB,
    /// 2 at 256 KiB, with the dispatch queue bounded to 1 MiB as well).
    /// </summary>
    public const int PreferredWindowBytes = 256 * 1024;

    private const int F_GETFD = 1;
    private const int F_SETFD = 2;
    private const int FD_CLOEXEC = 1;
    private const int F_SETPIPE_SZ = 1031;

    /// <summary>
    /// A worker's pipe ends arrive inheritable (that is how they crossed the exec). Marking them
    /// close-on-exec again keeps them out of any process the job starts: a grandchild holding the
    /// pipes would hide the worker's death from the master, and the master's death from the worker.
    /// </summary>
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

    /// <summary>
    /// Grows a pipe from Linux's default 64 KiB to <see cref="PipeCapacity"/>, so a batch of items
    /// or an item of tens of kilobytes goes through without the writer waiting on the reader
    /// several times per frame. Best effort: elsewhere, or when refused, the pipe keeps its size.
    /// </summary>
    public static void GrowPipe(SafeHandle handle)
    {
        if (OperatingSystem.IsLinux())
        {
            _ = Fcntl((int)handle.DangerousGetHandle(), F_SETPIPE_SZ, PipeCapacity);
        }
    }

    [LibraryImport("libc", EntryPoint = "fcntl")]
    private static partial int Fcntl(int fd, int command, int argument);
}
