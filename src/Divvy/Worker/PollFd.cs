using System.Runtime.InteropServices;

namespace Divvy.Worker;

/// <summary>One descriptor to watch in <see cref="Posix.Poll"/> (struct pollfd).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PollFd
{
    public int Fd;
    public short Events;
    public short Revents;
}
