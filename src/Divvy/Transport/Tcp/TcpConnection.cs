using System.Net;
using System.Net.Sockets;

namespace Divvy.Transport.Tcp;

/// <summary>One connected socket and its stream, closed gracefully or cut at once.</summary>
internal sealed class TcpConnection : IDisposable
{
    private readonly Socket _socket;
    private int _closed;

    public TcpConnection(Socket socket)
    {
        _socket = socket;

        // The channel batches its frames into few writes already; a small frame (a Pong, the last
        // result) must not wait for an acknowledgement.
        socket.NoDelay = true;
        Stream = new NetworkStream(socket, ownsSocket: false);
        Peer = socket.RemoteEndPoint?.ToString() ?? "an unknown peer";
    }

    public NetworkStream Stream { get; }

    /// <summary>The other end's address, for messages.</summary>
    public string Peer { get; }

    /// <summary>Whether the peer has closed its side: something to read, and nothing there. Never blocks.</summary>
    public bool PeerClosed
    {
        get
        {
            try
            {
                return _socket.Poll(0, SelectMode.SelectRead) && _socket.Available == 0;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return true;
            }
        }
    }

    /// <summary>Opens a connection to <paramref name="host"/>:<paramref name="port"/>.</summary>
    /// <exception cref="SocketException">Refused, unreachable, unresolvable.</exception>
    /// <exception cref="OperationCanceledException">Not connected before <paramref name="cancellationToken"/> fired.</exception>
    public static async Task<TcpConnection> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var socket = IPAddress.TryParse(host, out IPAddress? address)
            ? new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            return new TcpConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Says "no more from me" (FIN) and keeps reading possible, so the peer reads everything first.</summary>
    public void ShutdownSend()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already broken or closed: the peer learns of the end anyway.
        }
    }

    /// <summary>Cuts the connection at once (RST, nothing more delivered either way). Safe to call more than once.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Closed under us: the close below is all that is left.
        }

        _socket.Dispose();
    }

    /// <summary>Closes the connection (a FIN after anything still queued). Safe to call more than once.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _socket.Dispose();
        }
    }
}
