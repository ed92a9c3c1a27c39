using System.Reflection;
using Divvy.Cli.Loading;
using Divvy.Cli.Logging;
using Divvy.Options;
using McMaster.Extensions.CommandLineUtils;
using Microsoft.Extensions.Logging;

namespace Divvy.Cli;

/// <summary>The <c>divvy</c> command: load a job assembly, run it on N workers, report.</summary>
internal sealed class DivvyCommand
{
    private readonly TextWriter _out;
    private readonly TextWriter _error;
    private readonly Progress.RoutedWriter _log;
    private readonly CommandRun _run;
    private readonly CommandLineApplication _app;
    private readonly CommandOption _version;
    private readonly CommandOption _job;
    private readonly CommandOption _verbose;
    private readonly Progress.ProgressOptions _progress;
    private readonly RunOptions _runOptions;
    private readonly CommandArgument _assembly;
    private string[] _jobArguments = [];

    public DivvyCommand(TextWriter output, TextWriter error)
    {
        _out = output;
        _error = error;
        _log = new Progress.RoutedWriter(error);
        _run = new CommandRun("divvy", error);
        _app = new CommandLineApplication(throwOnUnexpectedArg: true)
        {
            Name = "divvy",
            FullName = "divvy: run a .NET job across worker processes",
            Out = output,
            Error = error,
            ExtendedHelpText = """

                Everything after the job assembly is passed to the job's constructor (string[] args).
                Durations take ms, s, m or h (a bare number is seconds); sizes take K, M or G.
                stdout belongs to the job: divvy writes its own messages to stderr (only --help and
                --version write to stdout). To run commands rather than a .NET job: divvy exec --help.
                To serve a run started with --launcher external from any machine: divvy worker --help.
                To perform a failed item of a --journal again, in process: divvy replay --help.

                Exit codes: 0 all items succeeded, 1 some items failed, 2 bad arguments or a run
                that cannot be set up as asked (the metrics port in use), 3 assembly not found,
                4 not a .NET assembly, 5 no job type, 6 several job types, 7 job not constructible,
                8 workers failed to boot or, with --launcher external or slurm, none connected
                within --connect-timeout (or Slurm refused them), 9 the job failed in the master, 130 interrupted
                (SIGINT/SIGQUIT), 143 terminated (SIGTERM). A run stopped by --halt
                exits 1.
                """,
        };
        CommandOption help = _app.HelpOption("-h|--help");
        help.Description = "Show this help on stdout.";
        _version = _app.Option("--version", "Show the version on stdout.", CommandOptionType.NoValue);
        _job = _app.Option("--job <TYPE>", "The job type, when the assembly has several (full or short name).", CommandOptionType.SingleValue);
        _verbose = _app.Option("-v|--verbose", "Log worker lifecycle (spawn, exit, respawn, retries) to stderr.", CommandOptionType.NoValue);
        _progress = new Progress.ProgressOptions(_app);
        _runOptions = new RunOptions(_app);
        _assembly = _app.Argument("assembly", "The job assembly (.dll) containing an IParallelizable implementation.");
        _app.HelpTextGenerator = new HelpText("divvy [options] job.dll [job arguments...]", [
            ("Options", [help, _version, _job, _verbose, .. _progress.Flags]),
            ("Workers", _runOptions.WorkerFlags),
            ("Failures and resuming: retries, timeouts, halting, the journal", _runOptions.FailureFlags),
            ("Dashboard, metrics and control endpoint", _runOptions.EndpointFlags),
            ("Remote workers (TCP)", _runOptions.RemoteFlags),
        ]);
        _app.OnExecute(() => Execute());
    }

    public int Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "exec")
        {
            return new Exec.ExecCommand(_out, _error).Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "serve")
        {
            return new Serve.ServeSubcommand(_out, _error).Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "run")
        {
            return new Serve.RunSubcommand(_out, _error).Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "replay")
        {
            return new Journal.ReplaySubcommand(_out, _error).Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "worker")
        {
            return new Remote.WorkerSubcommand(_out, _error).Run(args[1..]);
        }

        (string[] own, string[] job) = CommandLine.Split(_app, args);
        _jobArguments = job;
        if (CommandLine.FindUnknownOption(_app, own) is { } unknown)
        {
            // Caught before the parser, which would print its own hint on stdout, the job's stream.
            return Usage($"unknown option '{unknown}'");
        }

        // The parser writes help, and also a hint after every parse error, to its Out: hold that
        // back so stdout, which is the job's, gets the help page when asked for and nothing else.
        var parserOutput = new StringWriter();
        _app.Out = parserOutput;
        int exitCode;
        try
        {
            exitCode = _app.Execute(own);
        }
        catch (CommandParsingException ex)
        {
            return Usage(char.ToLowerInvariant(ex.Message[0]) + ex.Message[1..]);
        }

        _out.Write(parserOutput.ToString());
        return exitCode;
    }

    private int Execute()
    {
        if (_version.HasValue())
        {
            // One line, as `dotnet --version` and most tools print it.
            _out.WriteLine($"divvy {typeof(DivvyCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0"}");
            return ExitCodes.Success;
        }

        if (string.IsNullOrEmpty(_assembly.Value))
        {
            return Usage("missing the job assembly: divvy [options] job.dll [job arguments...]");
        }

        if (_runOptions.Check() is { } usage)
        {
            return Usage(usage);
        }

        IParallelizable job;
        try
        {
            job = JobLoader.Load(_assembly.Value!, _job.Value(), _jobArguments);
        }
        catch (JobLoadException ex)
        {
            return Fail(ex.ExitCode, ex.Message);
        }

        if (JobDefaults(job, out MasterOptions options) is { } problem)
        {
            return problem;
        }

        if (_runOptions.TryApply(options) is { } flagUsage)
        {
            return Usage(flagUsage);
        }

        using ILoggerFactory logging = CommandRun.Logging(new StderrLoggerProvider(_log), _verbose.HasValue() ? LogLevel.Debug : LogLevel.Warning);
        options.LoggerFactory = logging;
        options.JobArguments = _jobArguments;
        return RunJob(job, options);
    }

    /// <summary>
    /// The job's own defaults (its <c>Configure</c>), which the flags given on the command line then
    /// override; a job that cannot be bound or sets an option out of range is the job's fault (exit 7).
    /// </summary>
    private int? JobDefaults(IParallelizable job, out MasterOptions options)
    {
        options = new MasterOptions();
        try
        {
            options = Master.OptionsFor(job);
        }
        catch (JobDefinitionException ex)
        {
            return Fail(ExitCodes.JobNotConstructible, ex.Message);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The job's Configure is user code: whatever it throws is reported in one line.
            return Fail(ExitCodes.JobNotConstructible, $"the job's Configure threw {ex.GetType().Name}: {ex.Message}");
        }

        return options.FindError() is { } error
            ? Fail(ExitCodes.JobNotConstructible, $"the job's Configure set {error.Describe(OptionVocabulary.Api)}")
            : null;
    }

    private int RunJob(IParallelizable job, MasterOptions options)
    {
        return _run.RunAsync(() => _progress.RunAsync(options, _log, o => new Master(job, o)), Report, "the job failed in the master", KnownFailure)
            .GetAwaiter().GetResult();
    }

    /// <summary>The failures whose message already says it all, and their exit codes.</summary>
    internal static int? KnownFailure(Exception exception) => exception switch
    {
        JobDefinitionException => ExitCodes.JobNotConstructible,
        BootFailureException => ExitCodes.BootFailure,

        // No worker dialled in, or the cluster refused them: the run could not get going, as when workers die at boot.
        WorkerConnectTimeoutException or WorkerSubmitException => ExitCodes.BootFailure,

        // The options ask for something this machine cannot give (a port in use): not the job's fault.
        RunSetupException => ExitCodes.SetupFailed,

        // Its message names the item, its type and the fix: nothing to add.
        ItemSerializationException => ExitCodes.JobFailed,
        _ => null,
    };

    private int Report(RunSummary summary)
    {
        // With -v the master's own log already has the first line.
        string[] report = summary.Describe().Split(Environment.NewLine);
        foreach (string line in _verbose.HasValue() ? report.Skip(1) : report)
        {
            _run.Say(line == report[0] ? $"run {line}" : line);
        }

        return ExitCodes.ForRun(summary, everythingSucceeded: true);
    }

    private int Usage(string message) => _run.Usage(message);

    private int Fail(int exitCode, string message) => _run.Fail(exitCode, message);
}
