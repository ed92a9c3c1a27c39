using Divvy.Protocol;

namespace Divvy.Transport.Tcp;

/// <summary>A worker's authenticated connection to its master, and the terms the master gave.</summary>
internal sealed class TcpSession : IDisposable
{
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(10);

    internal TcpSession(TcpConnection connection, SessionTerms terms, string master)
    {
        Connection = connection;
        Terms = terms;
        Master = master;
    }

    public TcpConnection Connection { get; }

    public SessionTerms Terms { get; }

    /// <summary><c>HOST:PORT</c> as the worker was told, for messages.</summary>
    public string Master { get; }

    /// <summary>Connects to the master and runs the worker's side of the handshake.</summary>
    /// <exception cref="HandshakeException">Cannot connect, refused, not authentic, or no free slot; the message says which, in one line.</exception>
    public static async Task<TcpSession> ConnectAsync(string host, int port, TcpTokenSource tokenSource)
    {
        string master = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";
        TcpToken token;
        try
        {
            token = tokenSource.Load();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new HandshakeException(HandshakeFailure.WrongToken, $"cannot read the token ({tokenSource}): {ex.Message}", ex);
        }

        TcpConnection connection;
        using (var connecting = new CancellationTokenSource(s_connectTimeout))
        {
            try
            {
                connection = await TcpConnection.ConnectAsync(host, port, connecting.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or OperationCanceledException)
            {
                string why = ex is OperationCanceledException ? $"no answer within {s_connectTimeout.TotalSeconds:F0} s" : ex.Message;
                throw new HandshakeException(HandshakeFailure.CannotConnect, $"cannot connect to the master at {master}: {why}", ex);
            }
        }

        using var deadline = new CancellationTokenSource(TcpHandshake.Deadline);
        try
        {
            SessionTerms terms = await TcpHandshake.RespondAsync(connection.Stream, token, WireProtocol.Version, master, deadline.Token).ConfigureAwait(false);
            return new TcpSession(connection, terms, master);
        }
        catch (HandshakeException)
        {
            connection.Dispose();
            throw;
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            connection.Dispose();
            throw new HandshakeException(HandshakeFailure.Closed, $"the connection to the master at {master} broke during the handshake: {ex.Message}", ex);
        }
    }

    public void Dispose() => Connection.Dispose();
}
