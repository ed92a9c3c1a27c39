using System.Net.Sockets;
using System.Text.Json.Nodes;
using Divvy.Client;
using Divvy.Transport.Tcp;

namespace Divvy.Cli.Serve;

/// <summary>
/// One client's connection: the peer check, the prefaces and HELLO, then its frames, routed to
/// its requests. When it ends, however it ends, the commands it started are ended with it.
/// </summary>
internal sealed partial class ServeConnection
{
    private static readonly TimeSpan s_handshakeDeadline = TimeSpan.FromSeconds(5);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly ServeContext _server;
    private readonly TextWriter _log;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly Dictionary<uint, IServedRequest> _commands = [];
    private readonly List<Task> _running = [];
    private readonly CancellationTokenSource _disconnected = new();
    private int? _peerPid;

    private readonly TcpToken? _token;

    /// <param name="socket">The accepted connection.</param>
    /// <param name="server">What the server's connections share.</param>
    /// <param name="log">Where the server speaks.</param>
    /// <param name="token">For a TCP client, the token it must prove it knows; <c>null</c> on the Unix socket (the peer's uid is checked instead).</param>
    public ServeConnection(Socket socket, ServeContext server, TextWriter log, TcpToken? token = null)
    {
        _token = token;
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _server = server;
        _log = log;
    }

    public async Task RunAsync()
    {
        try
        {
            (int ProcessId, uint UserId)? credentials = _token is null ? PeerCredentials.Of(_socket) : null;
            _peerPid = credentials?.ProcessId;
            if (credentials is { } peer && peer.UserId != PeerCredentials.EffectiveUserId)
            {
                _log.WriteLine($"divvy serve: refused a client of uid {peer.UserId} (pid {peer.ProcessId}): only uid {PeerCredentials.EffectiveUserId} may use this server");
                await _stream.WriteAsync(ServeFrame.Preface.ToArray()).ConfigureAwait(false);
                await SendErrorAsync("forbidden", $"uid {peer.UserId} may not use this server").ConfigureAwait(false);
                return;
            }

            if (!await HandshakeAsync().ConfigureAwait(false))
            {
                return;
            }

            await ReadLoopAsync().ConfigureAwait(false);
        }
        catch (InvalidDataException ex)
        {
            _log.WriteLine($"divvy serve: a client sent a malformed frame ({ex.Message}); closing its connection");
            await SendErrorAsync("malformed", ex.Message).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away.
        }
        finally
        {
            // Its commands end with it (SIGTERM, then SIGKILL after their grace).
            await _disconnected.CancelAsync().ConfigureAwait(false);
            Task[] running;
            lock (_commands)
            {
                running = [.. _running];
            }

            await Task.WhenAll(running).ConfigureAwait(false);
            await _stream.DisposeAsync().ConfigureAwait(false);
            _disconnected.Dispose();
        }
    }

    private async Task<bool> HandshakeAsync()
    {
        using var deadline = new CancellationTokenSource(s_handshakeDeadline);
        try
        {
            await ServeFrame.ReadPrefaceAsync(_stream, deadline.Token).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            await _stream.WriteAsync(ServeFrame.Preface.ToArray(), deadline.Token).ConfigureAwait(false);
            await SendErrorAsync("bad_preface", "this is a divvy/1 server: send DIVVY/1\\n first (docs/protocol.md)").ConfigureAwait(false);
            return false;
        }

        await _stream.WriteAsync(ServeFrame.Preface.ToArray(), deadline.Token).ConfigureAwait(false);
        string nonce = ServeProof.NewNonce();
        var challenge = new JsonObject { ["server"] = "divvy", ["version"] = typeof(ServeConnection).Assembly.GetName().Version?.ToString(3), ["protocol"] = 1, ["auth"] = new JsonArray(_token is null ? "peercred" : "hmac") };
        if (_token is not null)
        {
            challenge["nonce"] = nonce;
        }

        await SendAsync(ServeFrame.Json(ServeFrameType.Challenge, 0, challenge)).ConfigureAwait(false);
        if (await ServeFrame.ReadAsync(_stream, deadline.Token).ConfigureAwait(false) is not { Type: ServeFrameType.Hello } hello)
        {
            await SendErrorAsync("protocol", "the first frame must be HELLO").ConfigureAwait(false);
            return false;
        }

        string? serverProof = null;
        if (_token is not null)
        {
            // The client proves it knows the token before it learns anything; then the server proves it too.
            JsonObject fields = hello.ReadJson();
            string clientNonce = (string?)fields["cnonce"] ?? "";
            if (clientNonce.Length < 32 || clientNonce == nonce || !ServeProof.Matches((string?)fields["proof"], _token.Prove(ServeProof.Transcript("client", nonce, clientNonce))))
            {
                _log.WriteLine($"divvy serve: refused a TCP client from {_socket.RemoteEndPoint}: wrong token (its proof does not match)");
                await SendErrorAsync("forbidden", "wrong token").ConfigureAwait(false);
                return false;
            }

            serverProof = Convert.ToHexStringLower(_token.Prove(ServeProof.Transcript("server", nonce, clientNonce)));
        }

        await SendAsync(ServeFrame.Json(ServeFrameType.Ready, 0, new JsonObject
        {
            ["proof"] = serverProof,
            ["slots"] = _server.Slots.Slots,
            ["max_queue"] = _server.Slots.MaxQueue,
            ["max_frame"] = ServeFrame.MaxPayload,
            ["job"] = _server.Job,
            ["pid"] = Environment.ProcessId,
        })).ConfigureAwait(false);
        return true;
    }

    private async Task ReadLoopAsync()
    {
        while (await ServeFrame.ReadAsync(_stream, _disconnected.Token).ConfigureAwait(false) is { } frame)
        {
            IServedRequest? command = null;
            if (frame.Channel != 0 && frame.Type != ServeFrameType.Run)
            {
                lock (_commands)
                {
                    // A frame for a request that is over (a SIGNAL racing its EXIT) is dropped.
                    _commands.TryGetValue(frame.Channel, out command);
                }
            }

            switch (frame.Type)
            {
                case ServeFrameType.Run when frame.Channel != 0:
                    await OnRunAsync(frame).ConfigureAwait(false);
                    break;
                case ServeFrameType.Stdin:
                    await (command?.OnInputAsync(frame.Payload, _disconnected.Token) ?? ValueTask.CompletedTask).ConfigureAwait(false);
                    break;
                case ServeFrameType.StdinEof:
                    command?.OnInputEnd();
                    break;
                case ServeFrameType.Signal:
                    string name = (string?)frame.ReadJson()["signal"] ?? "";
                    if (RemoteExitStatus.SignalNumber(name) is not { } number)
                    {
                        throw new InvalidDataException($"SIGNAL names no signal the protocol carries: '{name}'");
                    }

                    command?.OnSignal(number);
                    break;
                case ServeFrameType.Ping when frame.Channel == 0:
                    await SendAsync(new ServeFrame(ServeFrameType.Pong, 0, frame.Payload)).ConfigureAwait(false);
                    break;
                case ServeFrameType.Pong when frame.Channel == 0:
                    break;
                case ServeFrameType.Status when frame.Channel == 0:
                    await SendAsync(ServeFrame.Json(ServeFrameType.Status, 0, Status())).ConfigureAwait(false);
                    break;
                case ServeFrameType.Shutdown when frame.Channel == 0:
                    bool now = (bool?)frame.ReadJson()["now"] ?? false;
                    _log.WriteLine($"divvy serve: a client asked the server to stop{(now ? " now" : "")}");
                    _server.Stop(now);
                    break;
                default:
                    await SendErrorAsync("protocol", $"unexpected frame {frame.Type} on channel {frame.Channel}").ConfigureAwait(false);
                    return;
            }
        }
    }

    private async Task OnRunAsync(ServeFrame frame)
    {
        uint channel = frame.Channel;
        lock (_commands)
        {
            if (_commands.ContainsKey(channel))
            {
                throw new InvalidDataException($"RUN on channel {channel}, which is in use");
            }
        }

        JsonObject run = frame.ReadJson();
        if (run.ContainsKey("item"))
        {
            await OnItemAsync(channel, run).ConfigureAwait(false);
            return;
        }

        (CommandRequest? request, string? error) = CommandRequest.Parse(run);
        if (request is null)
        {
            await RejectAsync(channel, "bad_request", error!).ConfigureAwait(false);
            return;
        }

        var command = new ServedCommand(channel, request, _server, SendAsync, request.Id ?? $"pid {_peerPid}, channel {channel}");
        lock (_commands)
        {
            _commands[channel] = command;
            _running.Add(RunCommandAsync(channel, command));
        }
    }

    private ValueTask RejectAsync(uint channel, string code, string message) =>
        SendAsync(ServeFrame.Json(ServeFrameType.Rejected, channel, new JsonObject { ["code"] = code, ["message"] = message }));

    private async Task RunCommandAsync(uint channel, ServedCommand command)
    {
        try
        {
            await command.RunAsync(_disconnected.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The client went away while it waited or ran: its group is ended.
        }
        finally
        {
            lock (_commands)
            {
                _commands.Remove(channel);
            }
        }
    }

    private JsonObject Status() => new()
    {
        ["pid"] = Environment.ProcessId,
        ["slots"] = _server.Slots.Slots,
        ["busy"] = _server.Slots.Busy,
        ["queued"] = _server.Slots.Queued,
        ["served"] = _server.Slots.Served,
        ["uptime_ms"] = (long)_server.Uptime.TotalMilliseconds,
        ["job"] = _server.Job,
        ["draining"] = _server.Draining,
    };

    /// <summary>Sends a frame; frames of several requests never interleave. A client that went away loses it silently.</summary>
    private async ValueTask SendAsync(ServeFrame frame)
    {
        await _writing.WaitAsync().ConfigureAwait(false);
        try
        {
            await frame.WriteAsync(_stream, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // Gone: its read side notices, and ends its commands.
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>
    /// Sends ERROR and ends the connection: our side closed first, then what the client still
    /// sends is read and dropped for a moment, so that closing does not reset the connection
    /// before the client has read why.
    /// </summary>
    private async Task SendErrorAsync(string code, string message)
    {
        await SendAsync(ServeFrame.Json(ServeFrameType.Error, 0, new JsonObject { ["code"] = code, ["message"] = message })).ConfigureAwait(false);
        _socket.Shutdown(SocketShutdown.Send);
        using var linger = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        byte[] sink = new byte[4096];
        try
        {
            while (await _stream.ReadAsync(sink, linger.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
        {
            // Gone, or still talking after a second: close anyway.
        }
    }
}
