namespace Divvy.Client;

/// <summary>Where <c>divvy serve</c> listens by default, and the variable that overrides it.</summary>
public static class ServeEndpoint
{
    /// <summary>The variable clients read for the socket path: <c>DIVVY_SOCKET</c>.</summary>
    public const string SocketVariable = "DIVVY_SOCKET";

    /// <summary>
    /// <c>$DIVVY_SOCKET</c>, else <c>$XDG_RUNTIME_DIR/divvy/default.sock</c>, else
    /// <c>/tmp/divvy-UID/default.sock</c>.
    /// </summary>
    public static string DefaultSocketPath =>
        Environment.GetEnvironmentVariable(SocketVariable) is { Length: > 0 } socket ? socket : Path.Combine(DefaultDirectory, "default.sock");

    /// <summary>The directory of the default socket, which only its user may enter.</summary>
    public static string DefaultDirectory =>
        Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime
            ? Path.Combine(runtime, "divvy")
            : Path.Combine(OperatingSystem.IsWindows() ? Path.GetTempPath() : "/tmp", $"divvy-{UserId()}");

    private static string UserId()
    {
        // The uid, without native code: the owner of this process's /proc entry.
        try
        {
            return File.Exists("/proc/self/status")
                ? File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]
                : Environment.UserName;
        }
        catch (IOException)
        {
            return Environment.UserName;
        }
    }
}
