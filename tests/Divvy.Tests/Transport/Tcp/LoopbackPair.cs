using System.Net;
using System.Net.Sockets;
using Divvy.Transport.Tcp;

namespace Divvy.Tests.Transport.Tcp;

/// <summary>Two ends of one real loopback TCP connection: the master's (accepted) and the worker's (dialled).</summary>
internal sealed class LoopbackPair : IDisposable
{
    private LoopbackPair(TcpConnection master, TcpConnection worker)
    {
        Master = master;
        Worker = worker;
    }

    public TcpConnection Master { get; }

    public TcpConnection Worker { get; }

    public static async Task<LoopbackPair> CreateAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            Task<Socket> accepting = listener.AcceptSocketAsync();
            TcpConnection worker = await TcpConnection.ConnectAsync("127.0.0.1", port, CancellationToken.None);
            return new LoopbackPair(new TcpConnection(await accepting), worker);
        }
        finally
        {
            listener.Stop();
        }
    }

    public void Dispose()
    {
        Master.Dispose();
        Worker.Dispose();
    }
}
