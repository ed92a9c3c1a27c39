using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Divvy.Cli.Exec;
using Divvy.Client;

namespace Divvy.Cli.Serve;

/// <summary>
/// One command a client asked for, from its slot to its EXIT: started in its own session and
/// process group (which the server's <see cref="Reaper"/> kills should the server die), its stdin fed from the client's frames,
/// its stdout and stderr sent back as it writes them (no faster than the client's socket takes
/// them), signals passed to its group, and its group ended at a timeout, a disconnect or a
/// shutdown: SIGTERM, then SIGKILL after the grace.
/// </summary>
internal sealed class ServedCommand : IServedRequest
{
    private const int SIGTERM = 15;
    private const int SIGKILL = 9;

    private readonly uint _channel;
    private readonly string _identifier;
    private readonly string _startedAt = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
    private readonly CommandRequest _request;
    private readonly ServeContext _server;
    private readonly Func<ServeFrame, ValueTask> _send;
    private readonly Channel<ReadOnlyMemory<byte>?> _stdin = Channel.CreateBounded<ReadOnlyMemory<byte>?>(16);
    private Process? _process;
    private string? _endedBy;

    /// <param name="channel">The request's channel.</param>
    /// <param name="request">What to run.</param>
    /// <param name="server">The server's slots, reaper and run log.</param>
    /// <param name="send">Sends a frame to the client.</param>
    /// <param name="identifier">The request in the run log: its <c>id</c>, or the client's pid and the channel.</param>
    public ServedCommand(uint channel, CommandRequest request, ServeContext server, Func<ServeFrame, ValueTask> send, string identifier)
    {
        _identifier = identifier;
        _channel = channel;
        _request = request;
        _server = server;
        _send = send;
    }

    /// <summary>
    /// Bytes for the command's stdin: waits while 16 chunks are pending (the client's frames are
    /// read no faster than the command reads its stdin); dropped once the command has closed its
    /// stdin or ended.
    /// </summary>
    public async ValueTask OnInputAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (_request.PipeStdin && await _stdin.Writer.WaitToWriteAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_stdin.Writer.TryWrite(bytes))
            {
                return;
            }
        }
    }

    public void OnInputEnd() => _stdin.Writer.TryWrite(null);

    /// <summary>A SIGNAL frame: to the command's whole group, at once.</summary>
    public void OnSignal(int signal)
    {
        if (_process is { } process && !process.HasExited)
        {
            ProcessGroups.SignalGroup(process.Id, signal);
        }
    }

    /// <summary>Waits for a slot, runs the command and sends its EXIT; when <paramref name="disconnected"/> fires, ends its group and sends nothing.</summary>
    public async Task RunAsync(CancellationToken disconnected)
    {
        long queuedAt = Stopwatch.GetTimestamp();
        if (_server.Draining)
        {
            await RejectAsync("shutting_down", "the server is stopping").ConfigureAwait(false);
            return;
        }

        if (!await _server.Slots.TakeAsync(disconnected).ConfigureAwait(false))
        {
            await RejectAsync("busy", $"all {_server.Slots.Slots} slots are busy and {_server.Slots.MaxQueue} requests wait (--max-queue)").ConfigureAwait(false);
            return;
        }

        try
        {
            await RunInSlotAsync(Stopwatch.GetElapsedTime(queuedAt), disconnected).ConfigureAwait(false);
        }
        finally
        {
            _server.Slots.Release();
        }
    }

    private async Task RunInSlotAsync(TimeSpan queued, CancellationToken disconnected)
    {
        if (Start(out string? failure, out int failureCode) is not { } process)
        {
            _server.Log(new LoggedRun(_identifier, _request.Argv[0], [.. _request.Argv.Skip(1)], null, _startedAt, 0, failureCode, null, failure));
            await SendExitAsync(new JsonObject { ["reason"] = "spawn_failed", ["exit_code"] = failureCode, ["signal"] = null, ["error"] = failure, ["queued_ms"] = queued.TotalMilliseconds, ["run_ms"] = 0 }).ConfigureAwait(false);
            return;
        }

        using (process)
        {
            _process = process;
            ProcessGroups.Track(process);
            _server.Reaper.Watch(process.Id);
            long started = Stopwatch.GetTimestamp();
            await _send(ServeFrame.Json(ServeFrameType.Started, _channel, new JsonObject { ["pid"] = process.Id, ["queued_ms"] = queued.TotalMilliseconds })).ConfigureAwait(false);

            var counts = new long[2];
            Task output = Task.WhenAll(
                PumpAsync(process.StandardOutput.BaseStream, ServeFrameType.Stdout, counts, 0),
                PumpAsync(process.StandardError.BaseStream, ServeFrameType.Stderr, counts, 1));
            Task input = FeedAsync(process.StandardInput.BaseStream, disconnected);

            using var deadline = new CancellationTokenSource();
            if (_request.Timeout is { } timeout)
            {
                deadline.CancelAfter(timeout);
            }

            using CancellationTokenRegistration onTimeout = deadline.Token.Register(() => _ = EndAsync(process, "timeout"));
            using CancellationTokenRegistration onDisconnect = disconnected.Register(() => _ = EndAsync(process, "disconnect"));
            using CancellationTokenRegistration onShutdown = _server.KillAll.Register(() => _ = EndAsync(process, "server_shutdown"));
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);

            // What it left in its group ends with it; then its pipes reach end-of-file.
            ProcessGroups.Kill(process);
            ProcessGroups.Untrack(process);
            _server.Reaper.Forget(process.Id);
            _stdin.Writer.TryComplete();
            await Task.WhenAny(output, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None)).ConfigureAwait(false);
            await input.ConfigureAwait(false);
            var exit = new Divvy.WorkerExit(process.ExitCode);
            TimeSpan ran = Stopwatch.GetElapsedTime(started);
            _server.Log(new LoggedRun(_identifier, _request.Argv[0], [.. _request.Argv.Skip(1)], null, _startedAt, ran.TotalMilliseconds, process.ExitCode, exit.Signal, _endedBy ?? (disconnected.IsCancellationRequested ? "disconnect" : null)));
            if (disconnected.IsCancellationRequested)
            {
                return;
            }

            string? signal = exit.Signal is { } number ? RemoteExitStatus.SignalName(number) ?? number.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
            await SendExitAsync(new JsonObject
            {
                ["reason"] = _endedBy ?? (signal is null ? "exited" : "signaled"),
                ["exit_code"] = signal is null ? process.ExitCode : null,
                ["signal"] = signal,
                ["pid"] = process.Id,
                ["queued_ms"] = queued.TotalMilliseconds,
                ["run_ms"] = ran.TotalMilliseconds,
                ["stdout_bytes"] = counts[0],
                ["stderr_bytes"] = counts[1],
            }).ConfigureAwait(false);
        }
    }

    private Process? Start(out string? failure, out int code)
    {
        failure = null;
        code = 0;
        string? cwd = _request.WorkingDirectory;
        if (cwd is not null && !Directory.Exists(cwd))
        {
            (failure, code) = ($"no such directory: {cwd}", 126);
            return null;
        }

        if (TaskRunner.ResolveProgram(_request.Argv[0], cwd) is not { } program)
        {
            (failure, code) = ($"command not found: {_request.Argv[0]}", 127);
            return null;
        }

        var start = new ProcessStartInfo(ProcessGroups.Setsid ?? program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = cwd ?? "",
        };
        if (ProcessGroups.Setsid is not null)
        {
            // setsid execs the program: the command is the leader of a new session and process group.
            start.ArgumentList.Add(program);
        }

        foreach (string word in _request.Argv.Skip(1))
        {
            start.ArgumentList.Add(word);
        }

        if (_request.CleanEnvironment)
        {
            start.Environment.Clear();
            start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH");
        }

        foreach ((string name, string value) in _request.Environment)
        {
            start.Environment[name] = value;
        }

        try
        {
            return Process.Start(start);
        }
        catch (Win32Exception ex)
        {
            (failure, code) = ($"cannot start {_request.Argv[0]}: {ex.Message}", 126);
            return null;
        }
    }

    /// <summary>Ends the group: SIGTERM, and SIGKILL after the grace if it is still there.</summary>
    private async Task EndAsync(Process process, string why)
    {
        _endedBy ??= why;
        if (!ProcessGroups.SignalGroup(process.Id, SIGTERM))
        {
            return;
        }

        try
        {
            using var grace = new CancellationTokenSource(_request.KillGrace);
            await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            ProcessGroups.SignalGroup(process.Id, SIGKILL);
        }
    }

    private async Task PumpAsync(Stream from, ServeFrameType type, long[] counts, int index)
    {
        byte[] buffer = new byte[ServeFrame.MaxChunk];
        int read;
        while ((read = await from.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            counts[index] += read;

            // Awaited: the next read waits until the client's socket took this chunk.
            await _send(new ServeFrame(type, _channel, buffer.AsMemory(0, read).ToArray())).ConfigureAwait(false);
        }
    }

    private async Task FeedAsync(Stream stdin, CancellationToken disconnected)
    {
        try
        {
            if (!_request.PipeStdin)
            {
                return;
            }

            await foreach (ReadOnlyMemory<byte>? chunk in _stdin.Reader.ReadAllAsync(disconnected).ConfigureAwait(false))
            {
                if (chunk is not { } bytes)
                {
                    break;
                }

                await stdin.WriteAsync(bytes, disconnected).ConfigureAwait(false);
                await stdin.FlushAsync(disconnected).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The command closed its stdin (EPIPE), or ended: what the client still sends is dropped.
        }
        finally
        {
            // What the client still sends is dropped from now on, never waited for.
            _stdin.Writer.TryComplete();
            try
            {
                stdin.Dispose();
            }
            catch (IOException)
            {
                // Already broken.
            }
        }
    }

    private ValueTask RejectAsync(string code, string message) =>
        _send(ServeFrame.Json(ServeFrameType.Rejected, _channel, new JsonObject { ["code"] = code, ["message"] = message }));

    private ValueTask SendExitAsync(JsonObject exit) => _send(ServeFrame.Json(ServeFrameType.Exit, _channel, exit));
}
