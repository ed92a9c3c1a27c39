using System.Net;
using System.Net.Sockets;
using Divvy.Framing;
using Divvy.Options;
using Divvy.Protocol;
using Divvy.Transport.Tcp;
using Microsoft.Extensions.Logging;

namespace Divvy.Launching;

/// <summary>
/// Launches nothing: listens for workers that dial in over TCP and gives each the next slot the
/// scheduler asks for. A launch returns at once; its handle connects when a worker is assigned.
/// Workers that arrive before the scheduler needs them wait in a small lobby (never more than the
/// free slots), pinged so they know the master is alive; one beyond the slots is turned away.
/// </summary>
internal sealed class ExternalWorkerLauncher : IWorkerLauncher, IWorkerAdmission, IAsyncDisposable
{
    private static readonly byte[] s_ping = Frame(PingMessage.Instance);
    private static readonly byte[] s_stop = Frame(StopMessage.Instance);

    private readonly Lock _gate = new();
    private readonly List<TcpWorkerHandle> _pending = [];
    private readonly List<TcpConnection> _lobby = [];
    private readonly MasterOptions _options;
    private readonly TimeProvider _time;
    private readonly ITimer _clock;
    private readonly TcpWorkerListener _listener;
    private int _connected;
    private int _reserved;
    private long? _lonelySince;
    private long _lastLobbyPing;
    private bool _timedOut;
    private bool _disposed;

    private ExternalWorkerLauncher(IPEndPoint listen, TcpToken token, MasterOptions options, ILogger log)
    {
        _options = options;
        _time = options.TimeProvider;
        _lonelySince = _time.GetTimestamp();
        _lastLobbyPing = _lonelySince.Value;
        var terms = new SessionTerms(options.JobArguments, options.HeartbeatInterval, options.HeartbeatTimeout);
        _listener = new TcpWorkerListener(listen, token, terms, this, log);
        TimeSpan period = TimeSpan.FromTicks(Math.Clamp(Math.Min(options.ConnectTimeout.Ticks / 4, options.HeartbeatInterval.Ticks), TimeSpan.FromMilliseconds(20).Ticks, TimeSpan.FromSeconds(1).Ticks));
        _clock = _time.CreateTimer(_ => Tick(), null, period, period);
    }

    /// <summary>The bound address workers dial, with the port the system picked for port 0.</summary>
    public IPEndPoint Address => _listener.LocalEndpoint;

    public int Slots => Math.Max(_options.Workers, _connected + _pending.Count);

    /// <summary>
    /// Says why no worker came, for the connect-timeout error (a Slurm run asks Slurm); <c>null</c>
    /// or an empty answer adds nothing.
    /// </summary>
    public Func<string?>? ExplainMissingWorkers { get; set; }

    /// <summary>Reads (or creates) the run's token and starts listening.</summary>
    /// <exception cref="RunSetupException">No token, an unusable token file, or an address that cannot be bound.</exception>
    public static ExternalWorkerLauncher Start(MasterOptions options, ILogger log) => Start(options, log, options.Listen!, options.TokenFile);

    /// <inheritdoc cref="Start(MasterOptions, ILogger)"/>
    public static ExternalWorkerLauncher Start(MasterOptions options, ILogger log, IPEndPoint listen, string? tokenFile)
    {
        OptionVocabulary words = options.Vocabulary;
        TcpToken token;
        try
        {
            if (tokenFile is { } file)
            {
                token = TcpToken.LoadOrCreate(file, out bool created);
                if (created)
                {
                    Console.Error.WriteLine($"divvy: created the token file {file} (mode 0600); give workers the same file");
                }
            }
            else if (Environment.GetEnvironmentVariable(TcpToken.ValueVariable) is { Length: > 0 } value)
            {
                token = TcpToken.FromText(value, TcpToken.ValueVariable);
            }
            else
            {
                throw new RunSetupException($"{words.Name(nameof(MasterOptions.Launcher))} external needs a token: set {words.Name(nameof(MasterOptions.TokenFile))} (created when absent) or {TcpToken.ValueVariable}");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new RunSetupException($"cannot use the token: {ex.Message}", ex);
        }

        try
        {
            return new ExternalWorkerLauncher(listen, token, options, log);
        }
        catch (SocketException ex)
        {
            throw new RunSetupException($"cannot listen for workers on {listen} ({words.Name(nameof(MasterOptions.Listen))}): {ex.Message}", ex);
        }
    }

    public ValueTask<IWorkerHandle> LaunchAsync(int slot, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var handle = new TcpWorkerHandle(slot, _options.MaxFrameSize, OnGone, _options.WorkerStandardOutput);
        lock (_gate)
        {
            if (_timedOut)
            {
                throw TimeoutError(explain: false);
            }

            if (_disposed)
            {
                throw new WorkerSpawnException($"worker {slot}: the run no longer listens for workers");
            }

            while (_lobby.Count > 0)
            {
                TcpConnection waiting = _lobby[0];
                _lobby.RemoveAt(0);
                if (waiting.PeerClosed)
                {
                    // It left while waiting.
                    waiting.Dispose();
                    continue;
                }

                if (TryAssign(handle, waiting))
                {
                    return ValueTask.FromResult<IWorkerHandle>(handle);
                }

                _lobby.Insert(0, waiting);
                break;
            }

            _pending.Add(handle);
        }

        return ValueTask.FromResult<IWorkerHandle>(handle);
    }

    public bool TryReserve()
    {
        lock (_gate)
        {
            if (_disposed || _timedOut || _connected + _lobby.Count + _reserved >= Slots)
            {
                return false;
            }

            _reserved++;
            return true;
        }
    }

    public void Release()
    {
        lock (_gate)
        {
            _reserved--;
        }
    }

    public void Admit(TcpConnection connection)
    {
        lock (_gate)
        {
            _reserved--;
            if (_disposed)
            {
                Dismiss(connection);
                return;
            }

            while (_pending.Count > 0)
            {
                TcpWorkerHandle handle = _pending[0];
                _pending.RemoveAt(0);
                if (TryAssign(handle, connection))
                {
                    return;
                }
            }

            _lobby.Add(connection);
        }
    }

    public async ValueTask DisposeAsync()
    {
        TcpConnection[] lobby;
        lock (_gate)
        {
            _disposed = true;
            lobby = [.. _lobby];
            _lobby.Clear();
        }

        await _clock.DisposeAsync().ConfigureAwait(false);
        foreach (TcpConnection waiting in lobby)
        {
            Dismiss(waiting);
        }

        await _listener.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A worker that never got a slot is told the run is over (Stop before Start) and let go.</summary>
    private static void Dismiss(TcpConnection connection)
    {
        TrySend(connection, s_stop);
        connection.ShutdownSend();
        connection.Dispose();
    }

    private static bool TrySend(TcpConnection connection, byte[] frame)
    {
        try
        {
            // A few bytes to a worker that reads everything it gets: this never waits on a full buffer.
            connection.Stream.Write(frame);
            return true;
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private static byte[] Frame(Message message)
    {
        using var bytes = new MemoryStream();
        var writer = new FrameWriter(bytes, 64);
        MessageCodec.Write(writer.BeginFrame(), message);
        writer.EndFrame();
        writer.Flush();
        return bytes.ToArray();
    }

    /// <summary>Gives <paramref name="handle"/> the connection; <c>false</c> when the handle has ended meanwhile (killed while waiting) and the connection is still free.</summary>
    private bool TryAssign(TcpWorkerHandle handle, TcpConnection connection)
    {
        if (!handle.TryAttach(connection))
        {
            return false;
        }

        _connected++;
        _lonelySince = null;
        return true;
    }

    private void OnGone(TcpWorkerHandle handle, bool wasConnected)
    {
        lock (_gate)
        {
            _pending.Remove(handle);
            if (wasConnected && --_connected == 0)
            {
                _lonelySince = _time.GetTimestamp();
            }
        }
    }

    private void Tick()
    {
        TcpWorkerHandle[] failed = [];
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            long now = _time.GetTimestamp();
            bool ping = _time.GetElapsedTime(_lastLobbyPing, now) >= _options.HeartbeatInterval;
            if (ping)
            {
                _lastLobbyPing = now;
            }

            for (int i = _lobby.Count - 1; i >= 0; i--)
            {
                TcpConnection waiting = _lobby[i];
                if (waiting.PeerClosed || (ping && !TrySend(waiting, s_ping)))
                {
                    // It left while waiting: its place is free again.
                    _lobby.RemoveAt(i);
                    waiting.Dispose();
                }
            }

            if (!_timedOut && _connected == 0 && _pending.Count > 0 && _lonelySince is { } since && _time.GetElapsedTime(since, now) >= _options.ConnectTimeout)
            {
                _timedOut = true;
                failed = TakePendingLocked();
            }
        }

        if (failed.Length > 0)
        {
            // Outside the lock: explaining may ask Slurm, which takes a moment.
            Fail(failed, TimeoutError(explain: true));
        }
    }

    /// <summary>Ends every slot still waiting for a worker with <paramref name="error"/> (the workers will not come: their submission failed).</summary>
    public void FailPending(WorkerSpawnException error)
    {
        TcpWorkerHandle[] failed;
        lock (_gate)
        {
            failed = TakePendingLocked();
        }

        Fail(failed, error);
    }

    /// <summary>Every slot still waiting for a worker, taken out of the waiting list; the caller holds the lock.</summary>
    private TcpWorkerHandle[] TakePendingLocked()
    {
        TcpWorkerHandle[] pending = [.. _pending];
        _pending.Clear();
        return pending;
    }

    private static void Fail(TcpWorkerHandle[] handles, WorkerSpawnException error)
    {
        foreach (TcpWorkerHandle handle in handles)
        {
            handle.FailToConnect(error);
        }
    }

    private WorkerConnectTimeoutException TimeoutError(bool explain)
    {
        OptionVocabulary words = _options.Vocabulary;
        string why = explain && ExplainMissingWorkers?.Invoke() is { Length: > 0 } explained
            ? $"; {explained}"
            : $"; start workers with: divvy worker --connect {TcpAddress.Format(Address)} --token-file FILE job.dll";
        return new WorkerConnectTimeoutException(
            $"no worker connected to {TcpAddress.Format(Address)} within {OptionText.Duration(_options.ConnectTimeout)} ({words.Name(nameof(MasterOptions.ConnectTimeout))}){why}");
    }
}
