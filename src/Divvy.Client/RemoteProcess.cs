using System.Text;
using System.Text.Json.Nodes;

namespace Divvy.Client;

/// <summary>
/// A command running on the server, used like <see cref="System.Diagnostics.Process"/>: its
/// streams, its signals, its end. Read both <see cref="StandardOutput"/> and
/// <see cref="StandardError"/> (or call <see cref="CommunicateAsync"/>): output not read holds the
/// command back, as a full pipe does. Disposing it before it ended kills it.
/// </summary>
public sealed class RemoteProcess : IAsyncDisposable
{
    private readonly DivvyClient _client;
    private readonly TaskCompletionSource<int?> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<RemoteExitStatus> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly RemoteOutputStream _stdout = new();
    private readonly RemoteOutputStream _stderr = new();

    internal RemoteProcess(DivvyClient client, uint channel)
    {
        _client = client;
        Channel = channel;
        StandardInput = new RemoteInputStream(this);
    }

    /// <summary>The request's channel on its connection.</summary>
    public uint Channel { get; }

    /// <summary>Completes with the command's process id once it runs; faults with <see cref="ServeException"/> when the server refused it (<c>busy</c>...).</summary>
    public Task<int?> Started => _started.Task;

    /// <summary>Bytes written here go to the command's stdin; disposing it closes that stdin (end-of-file).</summary>
    public Stream StandardInput { get; }

    /// <summary>What the command writes to its stdout, as it writes it; ends when the command has ended.</summary>
    public Stream StandardOutput => _stdout;

    /// <summary>What the command writes to its stderr.</summary>
    public Stream StandardError => _stderr;

    /// <summary>The EXIT frame's fields, once it came (for job items: <c>status</c>, <c>result</c>, <c>error</c>, <c>attempts</c>).</summary>
    public JsonObject? ExitFields { get; private set; }

    /// <summary>Waits for the command's end. Cancelling kills it (SIGKILL to its process group) and throws.</summary>
    public async Task<RemoteExitStatus> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _exited.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !_exited.Task.IsCompleted)
        {
            await TrySignalAsync("KILL").ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Sends a signal (<c>INT</c>, <c>TERM</c>, <c>KILL</c>, <c>HUP</c>...) to the command's whole process group.</summary>
    public async Task SignalAsync(string signal, CancellationToken cancellationToken = default)
    {
        if (RemoteExitStatus.SignalNumber(signal) is null)
        {
            throw new ArgumentException($"not a signal the protocol carries: {signal}", nameof(signal));
        }

        await _client.SendAsync(ServeFrame.Json(ServeFrameType.Signal, Channel, new JsonObject { ["signal"] = signal }), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Kills the command's process group (SIGKILL); does nothing once it has ended.</summary>
    public Task KillAsync() => _exited.Task.IsCompleted ? Task.CompletedTask : TrySignalAsync("KILL");

    /// <summary>Writes <paramref name="input"/> (if any) to stdin, closes it, and reads stdout and stderr to their ends, as <c>Popen.communicate</c>.</summary>
    public async Task<(string StandardOutput, string StandardError)> CommunicateAsync(string? input = null, CancellationToken cancellationToken = default)
    {
        Task<string> stdout = ReadAllAsync(_stdout, cancellationToken);
        Task<string> stderr = ReadAllAsync(_stderr, cancellationToken);
        if (input is not null)
        {
            await StandardInput.WriteAsync(Encoding.UTF8.GetBytes(input), cancellationToken).ConfigureAwait(false);
        }

        await StandardInput.DisposeAsync().ConfigureAwait(false);
        return (await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>Kills the command if it is still running, and forgets it.</summary>
    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _client.Forget(Channel);
    }

    internal async ValueTask SendInputAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        for (int at = 0; at < bytes.Length; at += ServeFrame.MaxChunk)
        {
            ReadOnlyMemory<byte> chunk = bytes.Slice(at, Math.Min(ServeFrame.MaxChunk, bytes.Length - at));
            await _client.SendAsync(new ServeFrame(ServeFrameType.Stdin, Channel, chunk.ToArray()), cancellationToken).ConfigureAwait(false);
        }
    }

    internal async ValueTask CloseInputAsync()
    {
        if (!_exited.Task.IsCompleted)
        {
            try
            {
                await _client.SendAsync(new ServeFrame(ServeFrameType.StdinEof, Channel, ReadOnlyMemory<byte>.Empty), CancellationToken.None).ConfigureAwait(false);
            }
            catch (ServeException)
            {
                // The connection is gone, and the command with it.
            }
        }
    }

    internal async ValueTask OnFrameAsync(ServeFrame frame)
    {
        switch (frame.Type)
        {
            case ServeFrameType.Started:
                _started.TrySetResult((int?)frame.ReadJson()["pid"]);
                break;
            case ServeFrameType.Stdout:
                await _stdout.AddAsync(frame.Payload).ConfigureAwait(false);
                break;
            case ServeFrameType.Stderr:
                await _stderr.AddAsync(frame.Payload).ConfigureAwait(false);
                break;
            case ServeFrameType.Rejected:
                JsonObject rejected = frame.ReadJson();
                var error = new ServeException((string?)rejected["code"] ?? "rejected", $"divvy serve refused the request: {(string?)rejected["message"]}");
                _started.TrySetException(error);
                End(error);
                break;
            case ServeFrameType.Exit:
                ExitFields = frame.ReadJson();
                RemoteExitStatus status = RemoteExitStatus.From(ExitFields);
                _started.TrySetResult(status.ProcessId);
                _stdout.Complete(null);
                _stderr.Complete(null);
                _exited.TrySetResult(status);
                _client.Forget(Channel);
                break;
        }
    }

    internal void OnBroken(ServeException error) => End(error);

    private void End(ServeException error)
    {
        _started.TrySetException(error);
        _stdout.Complete(error);
        _stderr.Complete(error);
        _exited.TrySetException(error);
        _client.Forget(Channel);
    }

    private async Task TrySignalAsync(string signal)
    {
        try
        {
            await SignalAsync(signal).ConfigureAwait(false);
        }
        catch (ServeException)
        {
            // The connection is gone: the server kills the command for it.
        }
    }

    private static async Task<string> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }
}
