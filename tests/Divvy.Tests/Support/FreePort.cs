using System.Net;
using System.Net.Sockets;

namespace Divvy.Tests.Support;

/// <summary>A loopback port nobody listens on right now, for a run's <c>--metrics-port</c>.</summary>
internal static class FreePort
{
    public static int Next()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
