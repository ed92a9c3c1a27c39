using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Divvy.Transport.Tcp;

/// <summary>
/// Listens for workers that dial back: binds only the address given, authenticates each connection
/// within <see cref="TcpHandshake.Deadline"/>, and hands those that prove themselves to an
/// <see cref="IWorkerAdmission"/>. Anything else gets one warning and a closed connection; the run
/// never notices.
/// </summary>
internal sealed partial class TcpWorkerListener : IAsyncDisposable
{
    // Handshakes under way at once: a flood of silent connections costs each at most the deadline.
    private const int MaxConcurrentHandshakes = 32;

    private readonly TcpListener _listener;
    private readonly TcpToken _token;
    private readonly SessionTerms _terms;
    private readonly IWorkerAdmission _admission;
    private readonly ILogger _log;
    private readonly byte[] _runId = TcpHandshake.NewRunId();
    private readonly SemaphoreSlim _handshakes = new(MaxConcurrentHandshakes);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    /// <exception cref="SocketException">The address cannot be bound (in use, not this machine's).</exception>
    public TcpWorkerListener(IPEndPoint endpoint, TcpToken token, SessionTerms terms, IWorkerAdmission admission, ILogger log)
    {
        _token = token;
        _terms = terms;
        _admission = admission;
        _log = log;
        _listener = new TcpListener(endpoint);
        if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // [::] means IPv6 only; 0.0.0.0 is the way to say "every IPv4 address".
            _listener.Server.DualMode = false;
        }

        _listener.Start();
        LocalEndpoint = (IPEndPoint)_listener.LocalEndpoint;
        _accepting = AcceptLoopAsync();
    }

    /// <summary>The bound address, with the port the system picked when 0 was asked.</summary>
    public IPEndPoint LocalEndpoint { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _accepting.ConfigureAwait(false);

        // _stop is not disposed: handshakes still under way read its token as they end.
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                await _handshakes.WaitAsync(_stop.Token).ConfigureAwait(false);
                socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // Stopped: the run is over. (A SocketException here is the listener closed under the accept.)
                return;
            }

            _ = Task.Run(() => GreetAsync(new TcpConnection(socket)));
        }
    }

    private async Task GreetAsync(TcpConnection connection)
    {
        bool reserved = false;
        bool admitted = false;
        TcpHandshake.MasterSide? side = null;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        deadline.CancelAfter(TcpHandshake.Deadline);
        try
        {
            side = await TcpHandshake.ChallengeAsync(connection.Stream, _token, _runId, Protocol.WireProtocol.Version, deadline.Token).ConfigureAwait(false);
            reserved = _admission.TryReserve();
            await TcpHandshake.AnswerAsync(connection.Stream, _token, side, reserved, _admission.Slots, _terms, deadline.Token).ConfigureAwait(false);
            if (!reserved)
            {
                TurnedAway(_log, connection.Peer, _admission.Slots);
                connection.ShutdownSend();
                connection.Dispose();
                return;
            }

            _admission.Admit(connection);
            admitted = true;
            Admitted(_log, connection.Peer);
        }
        catch (HandshakeException ex)
        {
            Refused(_log, connection.Peer, ex.Message);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested && side is not null && !reserved)
        {
            // The run ended while a worker that proved the token was connecting: it is told there
            // is no slot for it (it exits saying it is not needed), not left to guess at a close.
            await TurnAwayAsync(connection, side).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The deadline passed mid-write, the peer broke the connection, or the run ended.
            Refused(_log, connection.Peer, ex is OperationCanceledException ? $"the handshake did not complete within {TcpHandshake.Deadline.TotalSeconds:F0} s" : ex.Message);
        }
        finally
        {
            if (!admitted)
            {
                if (reserved)
                {
                    _admission.Release();
                }

                // A plain close: a refused worker reads the end and says why; nothing more is said to it.
                connection.Dispose();
            }

            _handshakes.Release();
        }
    }

    private async Task TurnAwayAsync(TcpConnection connection, TcpHandshake.MasterSide side)
    {
        using var brief = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await TcpHandshake.AnswerAsync(connection.Stream, _token, side, accepted: false, 0, _terms, brief.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // It went meanwhile: nothing to tell it.
        }
    }

    [LoggerMessage(40, LogLevel.Warning, "refused a worker connection from {Peer}: {Why}")]
    private static partial void Refused(ILogger logger, string peer, string why);

    [LoggerMessage(41, LogLevel.Warning, "turned away a worker from {Peer}: all {Slots} worker slots are taken")]
    private static partial void TurnedAway(ILogger logger, string peer, int slots);

    [LoggerMessage(42, LogLevel.Information, "worker connected from {Peer}")]
    private static partial void Admitted(ILogger logger, string peer);
}
