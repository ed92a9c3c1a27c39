using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Divvy.Client;

/// <summary>
/// A connection to <c>divvy serve</c> (docs/protocol.md). One connection carries any number of
/// requests at once; each is a <see cref="RemoteProcess"/>. Thread-safe.
/// </summary>
public sealed class DivvyClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private NetworkStream? _connected;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly ConcurrentDictionary<uint, RemoteProcess> _requests = new();
    private readonly ConcurrentQueue<TaskCompletionSource<JsonObject>> _statusReplies = new();
    private readonly CancellationTokenSource _closing = new();
    private Task _reading = Task.CompletedTask;
    private int _nextChannel;
    private ServeException? _broken;

    private DivvyClient(Socket socket)
    {
        _socket = socket;
    }

    private NetworkStream Stream => _connected ?? throw new InvalidOperationException("not connected");

    /// <summary>How many commands the server runs at once.</summary>
    public int Slots { get; private set; }

    /// <summary>The job the server performs items of; <c>null</c> when it runs commands only.</summary>
    public string? Job { get; private set; }

    /// <summary>The server's process id.</summary>
    public int ServerProcessId { get; private set; }

    /// <summary>Connects to the server's Unix socket (<see cref="ServeEndpoint.DefaultSocketPath"/> when <paramref name="socketPath"/> is <c>null</c>).</summary>
    /// <exception cref="ServeException">No server listens there, or it refused this client.</exception>
    public static Task<DivvyClient> ConnectAsync(string? socketPath = null, CancellationToken cancellationToken = default)
    {
        string path = socketPath ?? ServeEndpoint.DefaultSocketPath;
        return ConnectAsync(new UnixDomainSocketEndPoint(path), path, null, cancellationToken);
    }

    /// <summary>
    /// Connects to a server that also listens on TCP (<c>divvy serve --listen</c>): the client proves
    /// it knows <paramref name="token"/> (the text of the server's token file) and checks that the
    /// server knows it too; the token never crosses the wire.
    /// </summary>
    /// <exception cref="ServeException">No server listens there, the token is wrong (<c>forbidden</c>), or the peer is not a server that knows it.</exception>
    public static Task<DivvyClient> ConnectTcpAsync(string host, int port, string token, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        return ConnectAsync(new DnsEndPoint(host, port), $"tcp://{host}:{port}", token, cancellationToken);
    }

    private static async Task<DivvyClient> ConnectAsync(EndPoint endpoint, string path, string? token, CancellationToken cancellationToken)
    {
        var socket = endpoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        var client = new DivvyClient(socket);
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
            client._connected = new NetworkStream(socket, ownsSocket: false);
            await client.Stream.WriteAsync(ServeFrame.Preface.ToArray(), cancellationToken).ConfigureAwait(false);
            await ServeFrame.ReadPrefaceAsync(client.Stream, cancellationToken).ConfigureAwait(false);
            JsonObject challenge = await client.ExpectAsync(ServeFrameType.Challenge, cancellationToken).ConfigureAwait(false);
            var hello = new JsonObject { ["client"] = "Divvy.Client", ["version"] = "1" };
            string nonce = (string?)challenge["nonce"] ?? "";
            string clientNonce = ServeProof.NewNonce();
            if (token is not null)
            {
                hello["cnonce"] = clientNonce;
                hello["proof"] = ServeProof.Prove(token, "client", nonce, clientNonce);
            }

            await client.SendAsync(ServeFrame.Json(ServeFrameType.Hello, 0, hello), cancellationToken).ConfigureAwait(false);
            JsonObject ready = await client.ExpectAsync(ServeFrameType.Ready, cancellationToken).ConfigureAwait(false);
            if (token is not null && (string?)ready["proof"] != ServeProof.Prove(token, "server", nonce, clientNonce))
            {
                throw new ServeException("forbidden", $"the peer at {path} did not prove it knows the token: it is not the divvy serve this token belongs to");
            }

            client.Slots = (int?)ready["slots"] ?? 0;
            client.Job = (string?)ready["job"];
            client.ServerProcessId = (int?)ready["pid"] ?? 0;
            client._reading = client.ReadLoopAsync();
            return client;
        }
        catch (Exception ex) when (ex is SocketException or IOException or InvalidDataException)
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw new ServeException("connection", $"cannot talk to divvy serve at {path}: {ex.Message}", ex);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts a command; it runs once the server has a free slot (<see cref="RemoteProcess.Started"/>).</summary>
    public async Task<RemoteProcess> StartAsync(RemoteStartInfo startInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        var run = new JsonObject();
        if (startInfo.Shell is { } shell)
        {
            run["shell"] = shell;
        }
        else
        {
            run["argv"] = new JsonArray([startInfo.Program, .. startInfo.Arguments.Select(a => (JsonNode?)a)]);
        }

        if (startInfo.Environment.Count > 0)
        {
            run["env"] = new JsonObject(startInfo.Environment.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value)));
        }

        run["env_mode"] = startInfo.CleanEnvironment ? "clean" : "merge";
        run["stdin"] = startInfo.RedirectStandardInput ? "pipe" : "null";
        if (startInfo.WorkingDirectory is { } cwd)
        {
            run["cwd"] = cwd;
        }

        if (startInfo.Timeout is { } timeout)
        {
            run["timeout_ms"] = (long)timeout.TotalMilliseconds;
        }

        if (startInfo.KillGrace is { } grace)
        {
            run["kill_grace_ms"] = (long)grace.TotalMilliseconds;
        }

        return await OpenAsync(run, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a program to its end and returns its whole output as text (stdin closed at once).</summary>
    public async Task<RemoteTextOutput> RunAndCaptureTextAsync(string program, IEnumerable<string>? arguments = null, CancellationToken cancellationToken = default)
    {
        await using RemoteProcess process = await StartAsync(new RemoteStartInfo(program, arguments) { RedirectStandardInput = false }, cancellationToken).ConfigureAwait(false);
        (string stdout, string stderr) = await process.CommunicateAsync(null, cancellationToken).ConfigureAwait(false);
        return new RemoteTextOutput(stdout, stderr, await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Performs one item of the server's job (JSON in, the EXIT's fields out: <c>status</c>, <c>result</c>, <c>error</c>, <c>attempts</c>).</summary>
    /// <exception cref="ServeException">The server has no job (<c>no_job</c>), or is busy.</exception>
    public async Task<JsonObject> PerformAsync(JsonNode? item, CancellationToken cancellationToken = default)
    {
        await using RemoteProcess request = await OpenAsync(new JsonObject { ["item"] = item?.DeepClone() }, cancellationToken).ConfigureAwait(false);
        await request.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return request.ExitFields!;
    }

    /// <summary>
    /// Performs one item given as its MessagePack bytes (the job's <c>TItem</c> as Divvy serializes it);
    /// returns the EXIT's fields and, for a success, the result's MessagePack bytes.
    /// </summary>
    /// <exception cref="ServeException">The server has no job, the bytes are not an item (<c>bad_request</c>), or it is busy.</exception>
    public async Task<(JsonObject Exit, byte[] Result)> PerformMessagePackAsync(ReadOnlyMemory<byte> item, CancellationToken cancellationToken = default)
    {
        await using RemoteProcess request = await OpenAsync(new JsonObject { ["item"] = null, ["format"] = "msgpack" }, cancellationToken).ConfigureAwait(false);
        Task<byte[]> result = ReadAllBytesAsync(request.StandardOutput, cancellationToken);
        await request.StandardInput.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        await request.StandardInput.DisposeAsync().ConfigureAwait(false);
        await request.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return (request.ExitFields!, await result.ConfigureAwait(false));
    }

    private static async Task<byte[]> ReadAllBytesAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var bytes = new MemoryStream();
        await stream.CopyToAsync(bytes, cancellationToken).ConfigureAwait(false);
        return bytes.ToArray();
    }

    /// <summary>The server's counters: slots, busy, queued, served, uptime.</summary>
    public async Task<JsonObject> StatusAsync(CancellationToken cancellationToken = default)
    {
        var reply = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _statusReplies.Enqueue(reply);
        await SendAsync(ServeFrame.Json(ServeFrameType.Status, 0, new JsonObject()), cancellationToken).ConfigureAwait(false);
        return await reply.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks the server to stop: running requests finish (or, with <paramref name="now"/>, are killed), then it exits.</summary>
    public Task ShutdownAsync(bool now = false, CancellationToken cancellationToken = default) =>
        SendAsync(ServeFrame.Json(ServeFrameType.Shutdown, 0, new JsonObject { ["now"] = now }), cancellationToken).AsTask();

    /// <summary>Closes the connection; the server kills the commands still running on it.</summary>
    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        try
        {
            await _reading.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
            // Closing.
        }

        Fail(new ServeException("connection", "the client was disposed"));
        if (_connected is { } stream)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }

        _closing.Dispose();
    }

    internal async ValueTask SendAsync(ServeFrame frame, CancellationToken cancellationToken)
    {
        if (_broken is { } broken)
        {
            throw broken;
        }

        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await frame.WriteAsync(Stream, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            throw new ServeException("connection", $"the connection to divvy serve broke: {ex.Message}", ex);
        }
        finally
        {
            _writing.Release();
        }
    }

    internal void Forget(uint channel) => _requests.TryRemove(channel, out _);

    private async Task<RemoteProcess> OpenAsync(JsonObject run, CancellationToken cancellationToken)
    {
        uint channel = (uint)Interlocked.Increment(ref _nextChannel);
        var process = new RemoteProcess(this, channel);
        _requests[channel] = process;
        await SendAsync(ServeFrame.Json(ServeFrameType.Run, channel, run), cancellationToken).ConfigureAwait(false);
        return process;
    }

    private async Task<JsonObject> ExpectAsync(ServeFrameType type, CancellationToken cancellationToken)
    {
        ServeFrame frame = await ServeFrame.ReadAsync(Stream, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"the server closed the connection before {type}");
        if (frame.Type == ServeFrameType.Error)
        {
            JsonObject error = frame.ReadJson();
            throw new ServeException((string?)error["code"] ?? "error", $"divvy serve refused this client: {(string?)error["message"]}");
        }

        return frame.Type == type ? frame.ReadJson() : throw new InvalidDataException($"expected {type}, got {frame.Type}");
    }

    private async Task ReadLoopAsync()
    {
        ServeException end = new("connection", "divvy serve closed the connection");
        try
        {
            while (await ServeFrame.ReadAsync(Stream, _closing.Token).ConfigureAwait(false) is { } frame)
            {
                if (frame.Channel != 0)
                {
                    if (_requests.TryGetValue(frame.Channel, out RemoteProcess? process))
                    {
                        await process.OnFrameAsync(frame).ConfigureAwait(false);
                    }

                    continue;
                }

                switch (frame.Type)
                {
                    case ServeFrameType.Status when _statusReplies.TryDequeue(out TaskCompletionSource<JsonObject>? reply):
                        reply.TrySetResult(frame.ReadJson());
                        break;
                    case ServeFrameType.Ping:
                        await SendAsync(new ServeFrame(ServeFrameType.Pong, 0, frame.Payload), _closing.Token).ConfigureAwait(false);
                        break;
                    case ServeFrameType.Error:
                        JsonObject error = frame.ReadJson();
                        end = new ServeException((string?)error["code"] ?? "error", $"divvy serve: {(string?)error["message"]}");
                        return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or InvalidDataException or ObjectDisposedException or OperationCanceledException or ServeException)
        {
            end = new ServeException("connection", $"the connection to divvy serve broke: {ex.Message}", ex);
        }
        finally
        {
            Fail(end);
        }
    }

    private void Fail(ServeException error)
    {
        _broken ??= error;
        foreach (RemoteProcess process in _requests.Values)
        {
            process.OnBroken(error);
        }

        while (_statusReplies.TryDequeue(out TaskCompletionSource<JsonObject>? reply))
        {
            reply.TrySetException(error);
        }
    }

    internal static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);
}
