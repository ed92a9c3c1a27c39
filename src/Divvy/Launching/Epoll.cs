using System.Runtime.InteropServices;
using Divvy.Worker;

namespace Divvy.Launching;

/// <summary>
/// The Linux calls behind <see cref="PipeReadiness"/> and <see cref="NonBlockingPipeStream"/>:
/// epoll(7), and read(2) and write(2) on descriptors in non-blocking mode.
/// </summary>
internal static unsafe partial class Epoll
{
    public const uint EPOLLIN = 0x1;
    public const uint EPOLLOUT = 0x4;
    public const uint EPOLLERR = 0x8;
    public const uint EPOLLHUP = 0x10;
    public const uint EPOLLRDHUP = 0x2000;
    public const uint EPOLLET = 1u << 31;

    public const short POLLOUT = 0x4;

    private const int EPOLL_CTL_ADD = 1;
    private const int EPOLL_CTL_DEL = 2;
    private const int EPOLL_CLOEXEC = 0x80000;
    private const int F_GETFL = 3;
    private const int F_SETFL = 4;
    private const int O_NONBLOCK = 0x800;

    /// <summary>
    /// struct epoll_event is packed on x86 and x86-64 (12 bytes: events, then data at offset 4) and
    /// naturally aligned elsewhere (16 bytes: data at offset 8).
    /// </summary>
    public static readonly int EventSize = RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86 ? 12 : 16;

    private static readonly int s_dataOffset = EventSize == 12 ? 4 : 8;

    public static int Create()
    {
        int fd = EpollCreate1(EPOLL_CLOEXEC);
        return fd >= 0 ? fd : throw new IOException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Watches <paramref name="fd"/> for <paramref name="events"/>, reporting <paramref name="key"/> with each event.</summary>
    public static void Add(int epoll, SafeHandle fd, uint events, long key)
    {
        byte* ev = stackalloc byte[16];
        Put(ev, events, key);
        if (EpollCtl(epoll, EPOLL_CTL_ADD, fd, ev) < 0)
        {
            throw new IOException($"epoll_ctl(ADD) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Stops watching <paramref name="fd"/> (best effort: closing it stops the watch too).</summary>
    public static void Remove(int epoll, SafeHandle fd)
    {
        byte* ev = stackalloc byte[16];
        Put(ev, 0, 0);
        _ = EpollCtl(epoll, EPOLL_CTL_DEL, fd, ev);
    }

    /// <summary>Waits for events; returns how many are in <paramref name="events"/>, or -1 with errno set.</summary>
    public static int Wait(int epoll, byte* events, int capacity) => EpollWait(epoll, events, capacity, -1);

    public static (uint Events, long Key) EventAt(byte* events, int index)
    {
        byte* at = events + (index * EventSize);
        return (*(uint*)at, *(long*)(at + s_dataOffset));
    }

    /// <summary>Puts the descriptor's open file description in non-blocking mode.</summary>
    public static void SetNonBlocking(SafeHandle fd)
    {
        int flags = Fcntl(fd, F_GETFL, 0);
        if (flags < 0 || Fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        {
            throw new IOException($"fcntl(O_NONBLOCK) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Waits until <paramref name="fd"/> is readable or writable (<paramref name="events"/>), for the synchronous Stream methods.</summary>
    public static void WaitFor(SafeHandle fd, short events)
    {
        bool added = false;
        try
        {
            fd.DangerousAddRef(ref added);
            var poll = new PollFd { Fd = (int)fd.DangerousGetHandle(), Events = events };
            while (Posix.Poll(&poll, 1, -1) < 0 && Marshal.GetLastPInvokeError() == Posix.EINTR)
            {
            }
        }
        finally
        {
            if (added)
            {
                fd.DangerousRelease();
            }
        }
    }

    private static void Put(byte* at, uint events, long key)
    {
        *(uint*)at = events;
        *(long*)(at + s_dataOffset) = key;
    }

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epoll, int operation, SafeHandle fd, byte* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int EpollWait(int epoll, byte* events, int capacity, int timeoutMilliseconds);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(SafeHandle fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(SafeHandle fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(SafeHandle fd, byte* buffer, nint count);
}
