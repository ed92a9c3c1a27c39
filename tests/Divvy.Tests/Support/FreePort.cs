using System.Net;
using System.Net.Sockets;

namespace Divvy.Tests.Support;

/// <summary>A loopback TCP port nobody listens on right now, for a spec's endpoint.</summary>
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
