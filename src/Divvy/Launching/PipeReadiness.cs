using System.Runtime.InteropServices;

namespace Divvy.Launching;

/// <summary>
/// The master's one thread that waits on all its local workers' pipes (Linux, epoll in edge-triggered
/// mode) and wakes whichever reader or writer was waiting. .NET's own PipeStream does the same through
/// a socket per pipe, which loads System.Net.Sockets and its telemetry (System.Diagnostics.Tracing and
/// DiagnosticSource, about 1 MiB the master alone maps) and starts the sockets' own thread.
/// </summary>
internal static unsafe class PipeReadiness
{
    private const int EventsPerWait = 64;

    private static readonly Lock s_gate = new();
    private static readonly Dictionary<long, (PipeWaiter? Read, PipeWaiter? Write)> s_watched = [];
    private static int s_epoll = -1;
    private static long s_nextKey;

    /// <summary>Starts watching <paramref name="fd"/> (already non-blocking) for whichever of the two waiters is given; returns the key to <see cref="Unwatch"/> it with.</summary>
    public static long Watch(SafeHandle fd, PipeWaiter? read, PipeWaiter? write)
    {
        long key;
        int epoll;
        lock (s_gate)
        {
            if (s_epoll < 0)
            {
                s_epoll = Epoll.Create();
                var thread = new Thread(Loop) { IsBackground = true, Name = "Divvy pipes" };
                thread.UnsafeStart(s_epoll);
            }

            key = ++s_nextKey;
            s_watched[key] = (read, write);
            epoll = s_epoll;
        }

        uint events = Epoll.EPOLLET | (read is null ? 0 : Epoll.EPOLLIN | Epoll.EPOLLRDHUP) | (write is null ? 0 : Epoll.EPOLLOUT);
        try
        {
            Epoll.Add(epoll, fd, events, key);
        }
        catch (IOException)
        {
            lock (s_gate)
            {
                s_watched.Remove(key);
            }

            throw;
        }

        return key;
    }

    /// <summary>Stops watching; an event already on its way for <paramref name="key"/> is dropped.</summary>
    public static void Unwatch(SafeHandle fd, long key)
    {
        int epoll;
        lock (s_gate)
        {
            s_watched.Remove(key);
            epoll = s_epoll;
        }

        try
        {
            Epoll.Remove(epoll, fd);
        }
        catch (ObjectDisposedException)
        {
            // Already closed: closing it took it out of the epoll set.
        }
    }

    private static void Loop(object? state)
    {
        int epoll = (int)state!;
        byte* events = stackalloc byte[EventsPerWait * Epoll.EventSize];
        while (true)
        {
            int count = Epoll.Wait(epoll, events, EventsPerWait);
            for (int i = 0; i < count; i++)
            {
                (uint flags, long key) = Epoll.EventAt(events, i);
                (PipeWaiter? Read, PipeWaiter? Write) waiters;
                lock (s_gate)
                {
                    if (!s_watched.TryGetValue(key, out waiters))
                    {
                        continue;
                    }
                }

                // A hang-up or an error wakes both sides: the next call sees EOF or EPIPE.
                bool broken = (flags & (Epoll.EPOLLHUP | Epoll.EPOLLERR)) != 0;
                if (broken || (flags & (Epoll.EPOLLIN | Epoll.EPOLLRDHUP)) != 0)
                {
                    waiters.Read?.Signal();
                }

                if (broken || (flags & Epoll.EPOLLOUT) != 0)
                {
                    waiters.Write?.Signal();
                }
            }
        }
    }
}
