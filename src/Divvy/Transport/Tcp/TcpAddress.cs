using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace Divvy.Transport.Tcp;

/// <summary>Reads <c>HOST:PORT</c>, <c>[IPv6]:PORT</c> or a bare <c>PORT</c> as the command line and the environment give them.</summary>
internal static class TcpAddress
{
    /// <summary>
    /// Splits <paramref name="text"/> into host and port. A bare port means loopback
    /// (<c>127.0.0.1</c>); port 0 only when <paramref name="allowAnyPort"/> (a listener that lets the
    /// system pick).
    /// </summary>
    public static bool TryParse(string text, bool allowAnyPort, [NotNullWhen(true)] out string? host, out int port, [NotNullWhen(false)] out string? error)
    {
        host = null;
        port = 0;
        string portText;
        int colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            host = IPAddress.Loopback.ToString();
            portText = text;
        }
        else
        {
            host = text[..colon];
            portText = text[(colon + 1)..];
            if (host.StartsWith('[') && host.EndsWith(']'))
            {
                host = host[1..^1];
            }
            else if (host.Contains(':', StringComparison.Ordinal))
            {
                error = $"'{text}' is not HOST:PORT (write an IPv6 address in brackets: [::1]:7601)";
                return false;
            }
        }

        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port < (allowAnyPort ? 0 : 1) || port > IPEndPoint.MaxPort)
        {
            error = $"'{text}' has no valid port (HOST:PORT, port {(allowAnyPort ? 0 : 1)} to {IPEndPoint.MaxPort})";
            return false;
        }

        if (host.Length == 0)
        {
            error = $"'{text}' has no host (HOST:PORT, or a bare PORT for 127.0.0.1)";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>
    /// An address to listen on: an IP address or <c>localhost</c>, never a name that might resolve
    /// to more than this machine's loopback.
    /// </summary>
    public static bool TryParseListen(string text, [NotNullWhen(true)] out IPEndPoint? endpoint, [NotNullWhen(false)] out string? error)
    {
        endpoint = null;
        if (!TryParse(text, allowAnyPort: true, out string? host, out int port, out error))
        {
            return false;
        }

        IPAddress? address = string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback : null;
        if (address is null && !IPAddress.TryParse(host, out address))
        {
            error = $"'{text}': listen on an IP address (127.0.0.1, 0.0.0.0, [::1]) or localhost, not the name '{host}'";
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        return true;
    }

    /// <summary><c>127.0.0.1:7601</c>, <c>[::1]:7601</c>: the way a worker's <c>--connect</c> takes it.</summary>
    public static string Format(IPEndPoint endpoint) => endpoint.ToString();
}
