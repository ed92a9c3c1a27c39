using System.Runtime.InteropServices;

namespace Divvy.Worker;

/// <summary>
/// The few libc calls a TCP worker needs to put a pipe under its own stdout and stderr, and to read
/// that pipe without blocking (Linux numbering; see <see cref="OutputToMaster"/>).
/// </summary>
internal static unsafe partial class Posix
{
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const short POLLIN = 0x1;

    private const int F_SETFD = 2;
    private const int F_GETFL = 3;
    private const int F_SETFL = 4;
    private const int FD_CLOEXEC = 1;
    private const int O_NONBLOCK = 0x800;
    private const int O_CLOEXEC = 0x80000;

    /// <summary>
    /// A new pipe: its read end close-on-exec and non-blocking (only this process reads it, and never
    /// waits on it), its write end blocking and inheritable once it is dup2'd over 1 or 2, so that a
    /// writer waits while the pipe is full and a child process writes into it too.
    /// </summary>
    /// <exception cref="IOException">The system refused (out of descriptors).</exception>
    public static (int Read, int Write) OpenPipe()
    {
        int* ends = stackalloc int[2];
        Check(Pipe2(ends, O_CLOEXEC), "pipe2");
        int read = ends[0];
        int write = ends[1];
        int flags = Fcntl(read, F_GETFL, 0);
        if (flags < 0 || Fcntl(read, F_SETFL, flags | O_NONBLOCK) < 0)
        {
            int error = Marshal.GetLastPInvokeError();
            _ = Close(read);
            _ = Close(write);
            throw new IOException($"fcntl(O_NONBLOCK) failed: errno {error}");
        }

        return (read, write);
    }

    /// <summary>A close-on-exec copy of <paramref name="fd"/>, so that the job's child processes do not inherit it.</summary>
    public static int DuplicateCloseOnExec(int fd)
    {
        int copy = Check(Dup(fd), "dup");
        _ = Fcntl(copy, F_SETFD, FD_CLOEXEC);
        return copy;
    }

    /// <summary>Makes <paramref name="target"/> refer to what <paramref name="source"/> does (dup2), atomically.</summary>
    public static void Redirect(int source, int target)
    {
        while (Dup2(source, target) < 0)
        {
            int error = Marshal.GetLastPInvokeError();
            if (error != EINTR)
            {
                throw new IOException($"dup2({source}, {target}) failed: errno {error}");
            }
        }
    }

    private static int Check(int result, string call) =>
        result >= 0 ? result : throw new IOException($"{call} failed: errno {Marshal.GetLastPInvokeError()}");

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static partial int Pipe2(int* fds, int flags);

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2(int source, int target);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    /// <summary>
    /// <see cref="Poll"/> with a timeout of 0, which never blocks: called once per item, so it skips
    /// the runtime's transition to and from native code.
    /// </summary>
    [LibraryImport("libc", EntryPoint = "poll")]
    [SuppressGCTransition]
    public static partial int PollNow(PollFd* fds, nuint count, int timeoutMilliseconds = 0);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);
}
