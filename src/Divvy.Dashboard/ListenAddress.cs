using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Divvy.Dashboard;

/// <summary>Where the dashboard listens, from <see cref="MasterOptions.MetricsHost"/>, and why it could not.</summary>
internal static class ListenAddress
{
    /// <summary>
    /// Binds Kestrel to <paramref name="host"/>: an address, <c>localhost</c>, <c>*</c> (every address)
    /// or a name of this machine, resolved now.
    /// </summary>
    /// <exception cref="RunSetupException">The name resolves to no address.</exception>
    public static Action<KestrelServerOptions> For(string host, int port)
    {
        if (host is "*" or "+")
        {
            return kestrel => kestrel.ListenAnyIP(port);
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return kestrel => kestrel.ListenLocalhost(port);
        }

        IPAddress address = Resolve(host, port);
        return kestrel => kestrel.Listen(address, port);
    }

    /// <summary>The address and port as a URL's authority: <c>127.0.0.1:9090</c>, <c>[::1]:9090</c>.</summary>
    public static string Authority(string host, int port) =>
        IPAddress.TryParse(host, out IPAddress? address) && address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]:{port}" : $"{host}:{port}";

    /// <summary>Why listening failed, as the rest of a sentence: <c>address already in use</c>.</summary>
    public static string Reason(Exception ex, string host)
    {
        Exception inner = ex is IOException { InnerException: { } cause } ? cause : ex;
        string reason = inner switch
        {
            SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } => "address already in use",
            SocketException socket => socket.Message.TrimEnd('.'),
            _ => inner.Message.TrimEnd('.'),
        };
        reason = reason.Length > 1 && char.IsUpper(reason[0]) && !char.IsUpper(reason[1]) ? char.ToLowerInvariant(reason[0]) + reason[1..] : reason;
        bool named = IPAddress.TryParse(host, out _) || host is "localhost" or "*" or "+";
        return named ? reason : $"{reason}; give an address of this machine, such as 127.0.0.1 or 0.0.0.0";
    }

    private static IPAddress Resolve(string host, int port)
    {
        if (IPAddress.TryParse(host, out IPAddress? address))
        {
            return address;
        }

        string reason;
        try
        {
            if (Dns.GetHostAddresses(host) is [var first, ..])
            {
                return first;
            }

            reason = "it has no address";
        }
        catch (SocketException ex)
        {
            reason = ex.Message.TrimEnd('.').ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            reason = "not a valid host name or address";
        }

        throw new RunSetupException($"cannot listen on {Authority(host, port)}: {reason}; give an address of this machine, such as 127.0.0.1 or 0.0.0.0");
    }
}
