using Divvy.Cli.Loading;
using Divvy.Client;
using Divvy.Jobs;
using McMaster.Extensions.CommandLineUtils;

namespace Divvy.Cli.Serve;

/// <summary><c>divvy serve</c>: keep a warm pool that programs on this machine run commands in (docs/protocol.md); <c>--status</c>, <c>--stop</c>.</summary>
internal sealed class ServeSubcommand
{
    private readonly TextWriter _out;
    private readonly TextWriter _error;
    private readonly CommandRun _run;
    private readonly CommandLineApplication _app;
    private readonly RunOptions _runOptions;
    private readonly CommandOption _socket;
    private readonly CommandOption _maxQueue;
    private readonly CommandOption _drain;
    private readonly CommandOption _status;
    private readonly CommandOption _stop;
    private readonly CommandOption _now;
    private readonly CommandOption _job;
    private readonly CommandOption _db;
    private readonly CommandOption _listen;
    private readonly CommandOption _tokenFile;
    private readonly CommandOption _allowRemote;
    private readonly CommandArgument _assembly;
    private string[] _jobArguments = [];

    public ServeSubcommand(TextWriter output, TextWriter error)
    {
        _out = output;
        _error = error;
        _run = new CommandRun("divvy serve", error);
        _app = new CommandLineApplication(throwOnUnexpectedArg: true)
        {
            Name = "divvy serve",
            FullName = "divvy serve: a warm pool that runs commands for programs on this machine",
            Out = output,
            Error = error,
            ExtendedHelpText = $"""

                Clients connect to a Unix socket (default ${ServeEndpoint.SocketVariable}, else
                $XDG_RUNTIME_DIR/divvy/default.sock, else /tmp/divvy-UID/default.sock; mode 0600, only
                this uid) and run commands: divvy run -- CMD ARGS, the Divvy.Client library, or
                clients/python/divvy_client. Each command runs in its own process group, streams
                its output back as it writes it, and is killed when its client disconnects, when its
                timeout passes, or when the server dies. The protocol: docs/protocol.md.

                SIGTERM or SIGINT: stop accepting, let running commands finish up to --drain-timeout,
                then kill them. Exit codes: 0 stopped by --stop, 2 bad arguments or a socket in use,
                130 SIGINT, 143 SIGTERM; with a job, 8 when its workers die at boot,
                9 when its run failed otherwise.
                """,
        };
        _runOptions = new RunOptions(_app, remote: false);
        _socket = _app.Option("--socket <PATH>", "The Unix socket to listen on.", CommandOptionType.SingleValue);
        _maxQueue = _app.Option("--max-queue <N>", "Requests that may wait for a slot; beyond that a request is refused at once (busy). Default 256.", CommandOptionType.SingleValue);
        _drain = _app.Option("--drain-timeout <DURATION>", "On SIGTERM/SIGINT/--stop, how long running commands may take to finish (default 30s).", CommandOptionType.SingleValue);
        _status = _app.Option("--status", "Print the running server's status (JSON) and exit.", CommandOptionType.NoValue);
        _stop = _app.Option("--stop", "Ask the running server to stop (it drains first; --now kills running commands).", CommandOptionType.NoValue);
        _now = _app.Option("--now", "With --stop: do not drain.", CommandOptionType.NoValue);
        _listen = _app.Option("--listen <ADDRESS>", "Also accept TCP clients on tcp://HOST:PORT (they must prove they know --token-file's token); loopback only unless --allow-remote.", CommandOptionType.SingleValue);
        _tokenFile = _app.Option("--token-file <PATH>", "The token TCP clients must know (created, mode 0600, when absent).", CommandOptionType.SingleValue);
        _allowRemote = _app.Option("--allow-remote", "Let --listen bind an address other machines can reach.", CommandOptionType.NoValue);
        _db = _app.Option("--db <PATH>", "Log every command to this SQLite run log (the one divvy exec --db writes): a runs row each, without its output.", CommandOptionType.SingleValue);
        _job = _app.Option("--job <TYPE>", "The job type, when the assembly has several.", CommandOptionType.SingleValue);
        _assembly = _app.Argument("assembly", "A job assembly (.dll): clients may then send it items (RUN {\"item\": ...}), performed by -n warm workers.");
        CommandRun.Prepare(_app, ExecuteAsync);
    }

    public int Run(string[] args)
    {
        (string[] own, string[] job) = CommandLine.Split(_app, args);
        _jobArguments = job;
        return _run.Execute(_app, own);
    }

    private async Task<int> ExecuteAsync()
    {
        if (Master.IsWorker)
        {
            // One of the served job's workers (launched by the server with this command line): it
            // performs items, and never listens on the socket.
            return await RunAsWorkerAsync().ConfigureAwait(false);
        }

        string socket = Path.GetFullPath(_socket.Value() ?? ServeEndpoint.DefaultSocketPath);
        if (_status.HasValue() || _stop.HasValue())
        {
            return await ControlAsync(socket).ConfigureAwait(false);
        }

        if (_runOptions.Check() is { } usage)
        {
            return _run.Usage(usage);
        }

        var flags = new MasterOptions();
        _runOptions.TryApply(flags);
        long workers = flags.Workers;

        long maxQueue = 256;
        if (_maxQueue.Value() is { } q && !Values.TryParseCount(q, 0, 1_000_000, out maxQueue))
        {
            return _run.Usage($"--max-queue must be a whole number from 0 to 1000000, not '{q}'");
        }

        TimeSpan drain = TimeSpan.FromSeconds(30);
        if (_drain.Value() is { } d && !Values.TryParseDuration(d, out drain))
        {
            return _run.Usage($"--drain-timeout must be a duration (500ms, 30s, 2m), not '{d}'");
        }

        if (OperatingSystem.IsWindows())
        {
            return _run.Usage("divvy serve needs Unix sockets and process groups: Linux or macOS");
        }

        System.Net.IPEndPoint? tcp = null;
        if (_listen.Value() is { } listen)
        {
            string address = listen.StartsWith("tcp://", StringComparison.Ordinal) ? listen["tcp://".Length..] : listen;
            if (!Divvy.Transport.Tcp.TcpAddress.TryParseListen(address, out tcp, out string? error))
            {
                return _run.Usage($"--listen {listen}: {error}");
            }

            if (!System.Net.IPAddress.IsLoopback(tcp.Address) && !_allowRemote.HasValue())
            {
                return _run.Usage($"--listen {listen} is not a loopback address: other machines could reach the server; add --allow-remote if that is what you want");
            }

            if (_tokenFile.Value() is null)
            {
                return _run.Usage("--listen needs --token-file: a TCP client must prove it knows the token (the file is created, mode 0600, when absent)");
            }
        }

        if (_assembly.Value is not { Length: > 0 } && _runOptions.EndpointFlags.FirstOrDefault(o => o.HasValue()) is { } endpointFlag)
        {
            // Commands alone have no run to show: the dashboard is the served job's.
            return _run.Usage($"--{endpointFlag.LongName} needs a job assembly: the dashboard shows the served job's run (divvy serve --dashboard PORT job.dll)");
        }

        var settings = new ServeSettings(socket, (int)workers, (int)maxQueue, drain, _db.Value() is { } db ? Path.GetFullPath(db) : null, tcp, _tokenFile.Value() is { } token ? Path.GetFullPath(token) : null);
        if (_assembly.Value is not { Length: > 0 } assembly)
        {
            return await new ServeServer(settings, _error).RunAsync().ConfigureAwait(false);
        }

        IParallelizable job;
        try
        {
            job = JobLoader.Load(assembly, _job.Value(), _jobArguments);
        }
        catch (JobLoadException ex)
        {
            return _run.Fail(ex.ExitCode, ex.Message);
        }

        // The job's defaults (its Configure), then the flags (-n, --retries, --timeout, recycling,
        // --metrics-port...), as for divvy job.dll; the workers are kept warm while the server runs.
        MasterOptions options = Master.OptionsFor(job);
        if (_runOptions.TryApply(options) is { } flagUsage)
        {
            return _run.Usage(flagUsage);
        }

        options.JobArguments = _jobArguments;
        options.KeepWorkersWarm = true;
        var items = new ServedJob(JobBinder.Bind(job), (int)maxQueue);
        var master = new Master(items, options);
        return await new ServeServer(settings, _error, items, master.RunAsync).RunAsync().ConfigureAwait(false);
    }

    private async Task<int> RunAsWorkerAsync()
    {
        try
        {
            IParallelizable job = JobLoader.Load(_assembly.Value ?? "", _job.Value(), _jobArguments);
            await new Master(job).RunAsync().ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (JobLoadException ex)
        {
            return _run.Fail(ex.ExitCode, ex.Message);
        }
    }

    private async Task<int> ControlAsync(string socket)
    {
        try
        {
            await using DivvyClient client = await DivvyClient.ConnectAsync(socket).ConfigureAwait(false);
            if (_stop.HasValue())
            {
                await client.ShutdownAsync(_now.HasValue()).ConfigureAwait(false);
                _run.Say($"asked the server (pid {client.ServerProcessId}) on {socket} to stop{(_now.HasValue() ? " now" : "")}");
                return ExitCodes.Success;
            }

            _out.WriteLine((await client.StatusAsync().ConfigureAwait(false)).ToJsonString());
            return ExitCodes.Success;
        }
        catch (ServeException ex)
        {
            _run.Say(ex.Message);
            return ExitCodes.SetupFailed;
        }
    }
}
