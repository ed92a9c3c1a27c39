using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Divvy.Cli.Serve;

/// <summary>Who is at the other end of a Unix socket (<c>SO_PEERCRED</c>), and who this process is.</summary>
internal static partial class PeerCredentials
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>The peer's pid and uid; <c>null</c> where the system does not say (not Linux).</summary>
    public static (int ProcessId, uint UserId)? Of(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        Span<byte> credentials = stackalloc byte[12];
        int length = socket.GetRawSocketOption(SolSocket, SoPeerCred, credentials);
        return length < 12
            ? null
            : (MemoryMarshal.Read<int>(credentials), MemoryMarshal.Read<uint>(credentials[4..]));
    }

    /// <summary>This process's effective uid.</summary>
    public static uint EffectiveUserId => OperatingSystem.IsWindows() ? 0 : GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
