using Divvy.Cli.Loading;
using Divvy.Launching;
using Divvy.Transport.Tcp;
using Divvy.Worker;
using McMaster.Extensions.CommandLineUtils;

namespace Divvy.Cli.Remote;

/// <summary>
/// <c>divvy worker --connect HOST:PORT job.dll</c>: dials a master started with
/// <c>--launcher external</c>, proves it knows the run's token, learns the job's arguments from the
/// master, loads the job and serves as one of its workers until the master lets it go.
/// </summary>
internal sealed class WorkerSubcommand
{
    private readonly TextWriter _out;
    private readonly CommandRun _run;
    private readonly CommandLineApplication _app;
    private readonly CommandOption _connect;
    private readonly CommandOption _tokenFile;
    private readonly CommandOption _job;
    private readonly CommandArgument _assembly;

    public WorkerSubcommand(TextWriter output, TextWriter error)
    {
        _out = output;
        _run = new CommandRun("divvy worker", error);
        _app = new CommandLineApplication(throwOnUnexpectedArg: true)
        {
            Name = "divvy worker",
            FullName = "divvy worker: serve a divvy run that waits for workers (--launcher external)",
            Out = output,
            Error = error,
            ExtendedHelpText = $"""

                The token comes from --token-file, else the file named by {TcpToken.FileVariable}, else
                {TcpToken.ValueVariable} itself; never from the command line. The job's arguments and the
                run's settings come from the master. A worker whose master falls silent for the
                run's heartbeat timeout leaves; so does one whose connection breaks.

                Exit codes: 0 the master let this worker go, 2 bad arguments, 3 assembly not found,
                4 not a .NET assembly, 5 no job type, 6 several job types, 7 job not constructible,
                {WorkerExitCodes.MasterGone} the master went away (connection lost, or silent past its heartbeat timeout),
                {WorkerExitCodes.Refused} refused (wrong token, another Divvy version), {WorkerExitCodes.SlotsFull} the master has no free slot,
                {WorkerExitCodes.CannotConnect} the master cannot be reached.
                """,
        };
        CommandOption help = _app.HelpOption("-h|--help");
        help.Description = "Show this help on stdout.";
        _connect = _app.Option("--connect <ADDRESS>", "HOST:PORT the master listens on (its --listen).", CommandOptionType.SingleValue);
        _tokenFile = _app.Option("--token-file <PATH>", $"The run's token file (default: ${TcpToken.FileVariable}, or ${TcpToken.ValueVariable}).", CommandOptionType.SingleValue);
        _job = _app.Option("--job <TYPE>", "The job type, when the assembly has several (full or short name).", CommandOptionType.SingleValue);
        _assembly = _app.Argument("assembly", "The job assembly (.dll), the same build the master runs.");
        _app.OnExecute(() => Execute());
    }

    public int Run(string[] args) => _run.Execute(_app, args, _out);

    private int Execute()
    {
        if (_connect.Value() is not { } connect)
        {
            return _run.Usage("missing --connect HOST:PORT: the address the master listens on (its --listen)");
        }

        if (!TcpAddress.TryParse(connect, allowAnyPort: false, out string? host, out int port, out string? addressError))
        {
            return _run.Usage($"--connect: {addressError}");
        }

        if (string.IsNullOrEmpty(_assembly.Value))
        {
            return _run.Usage("missing the job assembly: divvy worker --connect HOST:PORT job.dll");
        }

        if (TcpTokenSource.FromEnvironment(_tokenFile.Value()) is not { } token)
        {
            return _run.Usage($"no token: give --token-file PATH, or set {TcpToken.FileVariable} or {TcpToken.ValueVariable}");
        }

        if (!File.Exists(_assembly.Value))
        {
            // Checked before dialling, so a typo does not take one of the master's slots.
            return _run.Fail(ExitCodes.AssemblyNotFound, $"job assembly not found: {_assembly.Value}");
        }

        // From here this process is a worker: the job cannot make it a master, and nothing it starts
        // inherits the token.
        WorkerEnvironment.BecomeConnectedWorker();
        Environment.SetEnvironmentVariable(TcpToken.ValueVariable, null);
        Environment.SetEnvironmentVariable(TcpToken.FileVariable, null);

        TcpSession session;
        try
        {
            session = TcpSession.ConnectAsync(host, port, token).GetAwaiter().GetResult();
        }
        catch (HandshakeException ex)
        {
            return _run.Fail(WorkerLink.ExitCodeFor(ex.Failure), ex.Message);
        }

        IParallelizable job;
        try
        {
            job = JobLoader.Load(_assembly.Value!, _job.Value(), [.. session.Terms.JobArguments]);
        }
        catch (JobLoadException ex)
        {
            session.Dispose();
            return _run.Fail(ex.ExitCode, ex.Message);
        }

        _run.Say($"connected to {session.Master}");
        try
        {
            return Master.RunConnectedWorkerAsync(job, session).GetAwaiter().GetResult();
        }
        catch (JobDefinitionException ex)
        {
            session.Dispose();
            return _run.Fail(ExitCodes.JobNotConstructible, ex.Message);
        }
    }
}
