using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Divvy.Transport.Tcp;

namespace Divvy.Cli.Serve;

/// <summary>
/// <c>divvy serve</c>'s listener: a Unix socket in a directory only its user can enter, mode 0600,
/// one server per socket (a lock file), and the connections it accepts. On SIGTERM, SIGINT or a
/// SHUTDOWN frame it stops accepting, lets running requests finish up to the drain timeout, then
/// ends them; it never exits on a request count.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class ServeServer
{
    private readonly ServeSettings _settings;
    private readonly TextWriter _log;
    private readonly ServedJob? _items;
    private readonly Func<CancellationToken, Task<RunSummary>>? _runJob;

    /// <param name="settings">The socket, slots and limits.</param>
    /// <param name="log">Where the server speaks (stderr).</param>
    /// <param name="items">The job clients may send items to, with the run that performs them (<paramref name="runJob"/>); <c>null</c> for commands only.</param>
    /// <param name="runJob">Runs the job's master until its items end; cancelled to end it at once.</param>
    public ServeServer(ServeSettings settings, TextWriter log, ServedJob? items = null, Func<CancellationToken, Task<RunSummary>>? runJob = null)
    {
        _settings = settings;
        _log = log;
        _items = items;
        _runJob = runJob;
    }

    public async Task<int> RunAsync()
    {
        string socketPath = _settings.SocketPath;
        if (PrepareDirectory(Path.GetDirectoryName(socketPath)!) is { } unusable)
        {
            _log.WriteLine($"divvy serve: {unusable}");
            return ExitCodes.SetupFailed;
        }

        using FileStream? held = TryLock(socketPath);
        if (held is null)
        {
            string pid = File.Exists(socketPath + ".pid") ? File.ReadAllText(socketPath + ".pid").Trim() : "?";
            _log.WriteLine($"divvy serve: another server is running on {socketPath} (pid {pid}); stop it with: divvy serve --stop --socket {socketPath}");
            return ExitCodes.SetupFailed;
        }

        File.WriteAllText(socketPath + ".pid", $"{Environment.ProcessId}\n");
        using Reaper reaper = Reaper.Start();
        using Exec.RunLog? runLog = _settings.RunLogPath is { } db ? new Exec.RunLog(db) : null;
        using var context = new ServeContext(new CommandSlots(_settings.Slots, _settings.MaxQueue), reaper, _items, runLog);
        int? signalled = null;
        using PosixSignalRegistration onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; signalled ??= ExitCodes.Terminated; context.Stop(now: false); });
        using PosixSignalRegistration onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; signalled ??= ExitCodes.Interrupted; context.Stop(now: false); });

        // A socket file left by a server killed outright: the lock says it is no one's.
        File.Delete(socketPath);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        listener.Listen(512);
        using Socket? tcp = ListenTcp(out TcpToken? token, out string? tcpProblem);
        if (tcpProblem is not null)
        {
            _log.WriteLine($"divvy serve: {tcpProblem}");
            return ExitCodes.SetupFailed;
        }

        // The job's workers start now, before any request: the first item does not wait for them.
        Task<RunSummary>? job = _runJob?.Invoke(context.KillAll);
        _ = job?.ContinueWith(
            t =>
            {
                _log.WriteLine($"divvy serve: the job's run ended: {t.Exception?.InnerException?.Message ?? "its workers are gone"}; stopping");
                context.Stop(now: true);
            },
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Default);
        string alsoTcp = tcp is null ? "" : $" and tcp://{TcpAddress.Format((IPEndPoint)tcp.LocalEndPoint!)} (token in {_settings.TokenFile})";
        _log.WriteLine($"divvy serve: listening on {socketPath}{alsoTcp} ({_settings.Slots} {(_items is null ? "slots" : $"workers for {_items.Name} items and as many command slots")}, up to {_settings.MaxQueue} waiting; pid {Environment.ProcessId})");

        var connections = new List<Task>();
        try
        {
            await Task.WhenAll(AcceptAsync(listener, null, context, connections), tcp is null ? Task.CompletedTask : AcceptAsync(tcp, token, context, connections)).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(socketPath);
            File.Delete(socketPath + ".pid");
        }

        await DrainAsync(context).ConfigureAwait(false);
        if (job is not null)
        {
            try
            {
                await job.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return ex is BootFailureException ? ExitCodes.BootFailure : ExitCodes.JobFailed;
            }
        }

        return signalled ?? ExitCodes.Success;
    }

    /// <summary>Accepts clients until the server stops; each connection runs on its own.</summary>
    private async Task AcceptAsync(Socket listener, TcpToken? token, ServeContext context, List<Task> connections)
    {
        while (!context.Stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(context.Stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            lock (connections)
            {
                connections.RemoveAll(c => c.IsCompleted);
                connections.Add(Task.Run(() => new ServeConnection(client, context, _log, token).RunAsync()));
            }
        }
    }

    /// <summary>The TCP listener, when asked for: only with a token, and only on loopback unless the address was given on purpose.</summary>
    private Socket? ListenTcp(out TcpToken? token, out string? problem)
    {
        token = null;
        problem = null;
        if (_settings.Tcp is not { } endpoint)
        {
            return null;
        }

        if (_settings.TokenFile is not { } file)
        {
            problem = "--listen needs --token-file: a TCP client must prove it knows the token (created when absent, mode 0600)";
            return null;
        }

        try
        {
            token = TcpToken.LoadOrCreate(file, out bool created);
            if (created)
            {
                _log.WriteLine($"divvy serve: created the token file {file} (mode 0600); give clients the same file");
            }

            var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(endpoint);
            socket.Listen(512);
            return socket;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or SocketException)
        {
            problem = $"cannot listen on tcp://{TcpAddress.Format(endpoint)}: {ex.Message}";
            return null;
        }
    }

    private async Task DrainAsync(ServeContext context)
    {
        int busy = context.Slots.Busy;
        _log.WriteLine(context.Now || busy == 0
            ? "divvy serve: stopping"
            : $"divvy serve: stopping: {busy} running request(s) may finish within {_settings.DrainTimeout.TotalSeconds:0.#} s (--drain-timeout)");
        long deadline = Environment.TickCount64 + (long)_settings.DrainTimeout.TotalMilliseconds;
        while ((context.Slots.Busy > 0 || context.Items?.Pending > 0) && Environment.TickCount64 < deadline && !context.Now)
        {
            await Task.Delay(50).ConfigureAwait(false);
        }

        // Whatever still runs is ended (EXIT reason server_shutdown), and the connections with it.
        context.KillRunning();
        while (context.Slots.Busy > 0 && Environment.TickCount64 < deadline + 10_000)
        {
            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    /// <summary>Creates the socket's directory (0700) or checks an existing one: ours, not a symlink, closed to others.</summary>
    private static string? PrepareDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return null;
        }

        var info = new DirectoryInfo(directory);
        if (info.LinkTarget is not null)
        {
            return $"{directory} is a symbolic link: the socket's directory must be a real one";
        }

        if ((info.UnixFileMode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0 && (info.UnixFileMode & UnixFileMode.StickyBit) == 0)
        {
            return $"{directory} can be written by others (mode {Convert.ToString((int)info.UnixFileMode, 8)}): anyone could replace the socket; use a directory only you can write";
        }

        return null;
    }

    /// <summary>The server's lock (<c>SOCKET.lock</c>, held open and exclusive while it runs); <c>null</c> when another server holds it.</summary>
    private static FileStream? TryLock(string socketPath)
    {
        try
        {
            return new FileStream(socketPath + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
