using System.Runtime.InteropServices;
using Divvy.Client;
using McMaster.Extensions.CommandLineUtils;

namespace Divvy.Cli.Serve;

/// <summary>
/// <c>divvy run -- CMD ARGS</c>: runs one command in <c>divvy serve</c>'s pool as if it ran here:
/// stdin, stdout and stderr streamed, SIGINT/SIGTERM/SIGHUP/SIGQUIT passed on to it, and the
/// command's exit code as its own (128 + N when a signal ended it).
/// </summary>
internal sealed class RunSubcommand
{
    /// <summary>The server could not be reached or refused the request.</summary>
    public const int ServerFailed = 125;

    private readonly CommandRun _run;
    private readonly CommandLineApplication _app;
    private readonly CommandOption _socket;
    private readonly CommandOption _timeout;
    private readonly CommandOption _shell;
    private readonly CommandOption _noStdin;
    private readonly CommandOption _cwd;
    private readonly CommandOption _tcp;
    private readonly CommandOption _item;
    private readonly CommandOption _tokenFile;

    public RunSubcommand(TextWriter output, TextWriter error)
    {
        _run = new CommandRun("divvy run", error);
        _app = new CommandLineApplication(throwOnUnexpectedArg: false)
        {
            Name = "divvy run",
            FullName = "divvy run: run a command in divvy serve's warm pool",
            Out = output,
            Error = error,
            ExtendedHelpText = """

                divvy run [options] -- CMD [ARGS...]     or     divvy run --shell 'LINE'
                divvy run --item '{"path":"a.txt"}'   (a server started with a job: one item, its result as JSON)
                Exit code: the command's; 128+N when signal N ended it; 124 when --timeout ended it;
                125 when the server could not be reached or refused (busy, stopping); 126 cannot
                start; 127 not found.
                """,
        };
        _socket = _app.Option("--socket <PATH>", $"The server's socket (default ${ServeEndpoint.SocketVariable}, else the default path).", CommandOptionType.SingleValue);
        _timeout = _app.Option("--timeout <DURATION>", "End the command's process group after this long (SIGTERM, then SIGKILL).", CommandOptionType.SingleValue);
        _shell = _app.Option("--shell <LINE>", "Run LINE with /bin/sh -c instead of CMD ARGS.", CommandOptionType.SingleValue);
        _noStdin = _app.Option("--no-stdin", "The command reads end-of-file at once instead of this stdin.", CommandOptionType.NoValue);
        _item = _app.Option("--item <JSON>", "Perform one item of the server's job instead of a command: prints the result as JSON on stdout; exit 0 when it succeeded, 1 when not.", CommandOptionType.SingleValue);
        _tcp = _app.Option("--tcp <ADDRESS>", "Reach the server over TCP at HOST:PORT (its --listen) instead of its Unix socket.", CommandOptionType.SingleValue);
        _tokenFile = _app.Option("--token-file <PATH>", "With --tcp: the server's token file.", CommandOptionType.SingleValue);
        _cwd = _app.Option("--cwd <DIR>", "The command's working directory (default: this one).", CommandOptionType.SingleValue);
        CommandRun.Prepare(_app, ExecuteAsync);
    }

    public int Run(string[] args) => _run.Execute(_app, args);

    private async Task<int> ExecuteAsync()
    {
        if (_item.Value() is { } item)
        {
            return await PerformAsync(item).ConfigureAwait(false);
        }

        string[] argv = [.. _app.RemainingArguments.SkipWhile(a => a == "--")];
        if ((argv.Length == 0) == (_shell.Value() is null))
        {
            return _run.Usage("give a command after -- (divvy run -- git status), or --shell 'LINE'");
        }

        TimeSpan? timeout = null;
        if (_timeout.Value() is { } t)
        {
            if (!Values.TryParseDuration(t, out TimeSpan parsed))
            {
                return _run.Usage($"--timeout must be a duration (500ms, 30s, 2m), not '{t}'");
            }

            timeout = parsed;
        }

        RemoteStartInfo start = _shell.Value() is { } line
            ? RemoteStartInfo.ShellLine(line)
            : new RemoteStartInfo(argv[0], argv[1..]);
        start.WorkingDirectory = _cwd.Value() ?? Environment.CurrentDirectory;
        start.RedirectStandardInput = !_noStdin.HasValue();
        start.Timeout = timeout;

        try
        {
            await using DivvyClient client = await ConnectAsync().ConfigureAwait(false);
            await using RemoteProcess process = await client.StartAsync(start).ConfigureAwait(false);
            using PosixSignalRegistration onInt = Forward(PosixSignal.SIGINT, "INT", process);
            using PosixSignalRegistration onTerm = Forward(PosixSignal.SIGTERM, "TERM", process);
            using PosixSignalRegistration onHup = Forward(PosixSignal.SIGHUP, "HUP", process);
            using PosixSignalRegistration onQuit = Forward(PosixSignal.SIGQUIT, "QUIT", process);
            Task stdout = CopyAsync(process.StandardOutput, Console.OpenStandardOutput());
            Task stderr = CopyAsync(process.StandardError, Console.OpenStandardError());
            if (start.RedirectStandardInput)
            {
                _ = FeedAsync(process);
            }

            RemoteExitStatus status = await process.WaitForExitAsync().ConfigureAwait(false);
            await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
            if (status.Error is { } error)
            {
                _run.Say(error);
            }

            return status.Reason == "timeout" ? 124 : status.ShellExitCode;
        }
        catch (ServeException ex)
        {
            _run.Say(ex.Message);
            return ServerFailed;
        }
    }

    /// <summary>One item of the server's job: its result (JSON) on stdout, and its error on stderr when it did not succeed.</summary>
    private async Task<int> PerformAsync(string item)
    {
        System.Text.Json.Nodes.JsonNode? json;
        try
        {
            json = System.Text.Json.Nodes.JsonNode.Parse(item);
        }
        catch (System.Text.Json.JsonException ex)
        {
            return _run.Usage($"--item must be JSON: {ex.Message}");
        }

        try
        {
            await using DivvyClient client = await ConnectAsync().ConfigureAwait(false);
            System.Text.Json.Nodes.JsonObject done = await client.PerformAsync(json).ConfigureAwait(false);
            string status = (string?)done["status"] ?? "";
            if (status == "Succeeded")
            {
                Console.Out.WriteLine(done["result"]?.ToJsonString() ?? "null");
                return 0;
            }

            _run.Say($"item {status.ToLowerInvariant()} after {done["attempts"]} attempt(s): {done["error"]?["type"]}: {done["error"]?["message"]}");
            return 1;
        }
        catch (ServeException ex)
        {
            _run.Say(ex.Message);
            return ServerFailed;
        }
    }

    private Task<DivvyClient> ConnectAsync()
    {
        if (_tcp.Value() is not { } tcp)
        {
            return DivvyClient.ConnectAsync(_socket.Value());
        }

        if (_tokenFile.Value() is not { } tokenFile || !Divvy.Transport.Tcp.TcpAddress.TryParse(tcp, allowAnyPort: false, out string? host, out int port, out string? error))
        {
            throw new ServeException("bad_request", $"--tcp needs HOST:PORT and --token-file (got '{tcp}')");
        }

        string token;
        try
        {
            token = File.ReadAllText(tokenFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ServeException("bad_request", $"cannot read the token file {tokenFile}: {ex.Message}");
        }

        return DivvyClient.ConnectTcpAsync(host, port, token);
    }

    private static PosixSignalRegistration Forward(PosixSignal signal, string name, RemoteProcess process) =>
        PosixSignalRegistration.Create(signal, context =>
        {
            // The command decides what the signal means; this client waits for its end.
            context.Cancel = true;
            _ = process.SignalAsync(name);
        });

    private static async Task CopyAsync(Stream from, Stream to)
    {
        byte[] buffer = new byte[64 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
            await to.FlushAsync().ConfigureAwait(false);
        }
    }

    private static async Task FeedAsync(RemoteProcess process)
    {
        try
        {
            await using Stream stdin = Console.OpenStandardInput();
            await CopyAsync(stdin, process.StandardInput).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ServeException or ObjectDisposedException)
        {
            // The command ended first.
        }
        finally
        {
            await process.StandardInput.DisposeAsync().ConfigureAwait(false);
        }
    }
}
