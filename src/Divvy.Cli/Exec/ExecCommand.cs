using Divvy.Cli.Logging;
using Divvy.Cli.Progress;
using McMaster.Extensions.CommandLineUtils;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Divvy.Cli.Exec;

/// <summary>
/// <c>divvy exec</c>: run commands in parallel without writing C#. A go-workerpool task list, a
/// command template over input lines, or one command repeated for load; the same master, workers,
/// run options (<see cref="RunOptions"/>), failure handling and exit codes as <c>divvy job.dll</c>:
/// a command that exits non-zero, is killed by a signal or times out is a failed attempt, retried,
/// halted on and counted as any item's.
/// </summary>
internal sealed class ExecCommand
{
    private readonly TextWriter _out;
    private readonly TextWriter _error;
    private readonly CommandRun _run;
    private readonly CommandLineApplication _app;
    private readonly RunOptions _runOptions;
    private readonly ProgressOptions _progress;
    private readonly CommandOption _maxThreads;
    private readonly CommandOption _inFile;
    private readonly CommandOption _outFile;
    private readonly CommandOption _verbose;
    private readonly CommandOption _argsFile;
    private readonly CommandOption _shell;
    private readonly CommandOption _tag;
    private readonly CommandOption _json;
    private readonly CommandOption _db;
    private readonly CommandOption _spillAfter;
    private readonly CommandOption _repeat;
    private readonly CommandOption _count;
    private readonly CommandOption _duration;
    private readonly CommandArgument _first;
    private string[] _rest = [];

    public ExecCommand(TextWriter output, TextWriter error)
    {
        _out = output;
        _error = error;
        _run = new CommandRun("divvy exec", error);
        _app = new CommandLineApplication(throwOnUnexpectedArg: true)
        {
            Name = "divvy exec",
            FullName = "divvy exec: run commands in parallel on divvy's workers",
            Out = output,
            Error = error,
            ExtendedHelpText = """

                Inputs (one of):
                  divvy exec '[{"identifier":"a","command":"echo","args":["hi"]}]'   task list as an argument
                  divvy exec -i tasks.json        task list from a file (- for stdin)
                  divvy exec -n 4 -- cmd {}       one run per line of stdin (or --args-file);
                                                  {} is the line, {#} its number, {%} the worker
                  divvy exec --repeat -n 12 ./script.sh   run again and again (--count, --duration, Ctrl-C)

                Task lists print a results JSON array, one line, last on stdout (or to -o):
                identifier, exit_code, result_body (stdout), stderr, signal, started_at,
                duration_ms, worker, error, attempts. Commands run without a shell unless a task
                says "shell": true (or --shell); each in its own process group.
                A command that exits non-zero, is killed by a signal or times out is a failed
                attempt, as a Perform that throws is for divvy: --retries tries it again with
                backoff, --halt counts it, and its row shows its last attempt. A command that
                cannot start is not retried. On --timeout (or a task's own "timeout", the shorter
                wins) the group gets SIGTERM, then SIGKILL after --timeout-grace. A failing command
                gets a line on stderr in line mode (the first one only in --repeat mode; task lists
                have its JSON row). --repeat keeps no command output unless --tag or --db is given.
                Durations take ms, s, m or h (a bare number is seconds); sizes take K, M or G.

                Exit codes: 0 every command exited 0, 1 some did not (or could not start, or the
                run halted), 2 bad arguments or task list (or a run that cannot be set up as
                asked: the metrics port in use), 3 input file not found, 8 workers failed to boot,
                9 the run failed, 130 interrupted, 143 terminated.
                """,
        };
        CommandOption help = _app.HelpOption("-h|--help");
        help.Description = "Show this help on stdout.";
        _maxThreads = _app.Option("-t|--max_threads <N>", "Synonym of -n, as go-workerpool spells it.", CommandOptionType.SingleValue);
        _inFile = _app.Option("-i|--infile <FILE>", "Read the task list from FILE (- for stdin).", CommandOptionType.SingleValue);
        _outFile = _app.Option("-o|--outfile <FILE>", "Write the results JSON to FILE instead of stdout.", CommandOptionType.SingleValue);
        _verbose = _app.Option("-v|--verbose", "Each command's verdict, worker lifecycle and the end-of-run report on stderr (stdout stays pure JSON).", CommandOptionType.NoValue);
        _argsFile = _app.Option("--args-file <FILE>", "Lines for the command template (default: stdin).", CommandOptionType.SingleValue);
        _shell = _app.Option("--shell", "Run the command template through /bin/sh -c.", CommandOptionType.NoValue);
        _tag = _app.Option("--tag", "Stream each command's output live, every line prefixed with [identifier].", CommandOptionType.NoValue);
        _json = _app.Option("--json", "Print the results JSON for line mode too.", CommandOptionType.NoValue);
        _db = _app.Option("--db <FILE>", "Append every task's last attempt and its output lines to this SQLite database.", CommandOptionType.SingleValue);
        _spillAfter = _app.Option("--spill-after <BYTES>", "Keep at most this much of one command's output in memory, then spill to disk (default 8M).", CommandOptionType.SingleValue);
        _repeat = _app.Option("--repeat", "Load mode: run the command again and again.", CommandOptionType.NoValue);
        _count = _app.Option("--count <N>", "With --repeat: stop after N runs.", CommandOptionType.SingleValue);
        _duration = _app.Option("--duration <DURATION>", "With --repeat: stop after this long (from the first run); queued runs are dropped, runs in flight finish.", CommandOptionType.SingleValue);
        _progress = new ProgressOptions(_app);
        _runOptions = new RunOptions(_app, remote: false);
        Reword(nameof(MasterOptions.ItemTimeout), "Per-command deadline: the command's whole process group gets SIGTERM, and the attempt timed out");
        Reword(nameof(MasterOptions.ItemTimeoutGrace), "After the deadline's SIGTERM, the group gets SIGKILL if the command still runs this long (0: SIGKILL at once)");
        _first = _app.Argument("input", "A task list JSON, -, or the command (then its arguments follow).");
        _app.HelpTextGenerator = new HelpText("divvy exec [options] (TASKS.json | -i FILE | - | [--] COMMAND [ARGS...])", [
            ("Commands", [help, _maxThreads, _inFile, _outFile, _verbose, _argsFile, _shell, _tag, _json, _db, _spillAfter, _repeat, _count, _duration, .. _progress.Flags]),
            ("Workers (as divvy's)", _runOptions.WorkerFlags),
            ("Failures and resuming: retries, timeouts, halting, the journal (as divvy's)", _runOptions.FailureFlags),
            ("Metrics and control endpoint (as divvy's)", _runOptions.EndpointFlags),
        ]);
        _app.OnExecute(() => Execute());
    }

    public int Run(string[] args)
    {
        (string[] own, string[] rest) = CommandLine.Split(_app, args);
        _rest = rest;
        try
        {
            return _app.Execute(own);
        }
        catch (CommandParsingException ex)
        {
            return Usage(ex.Message);
        }
    }

    // Not OnExecuteAsync: that would install the parser's own Ctrl-C handling next to the master's.
    private int Execute() => ExecuteAsync().GetAwaiter().GetResult();

    private async Task<int> ExecuteAsync()
    {
        if (Master.IsWorker)
        {
            return await ExecuteRunAsync().ConfigureAwait(false);
        }

        // The run's spill directory, inherited by the workers through the environment (made by the
        // first to spill) and removed at the end with whatever is left in it: the output of attempts
        // that were retried.
        string spill = Path.Combine(Path.GetTempPath(), $"divvy-exec-spill-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Environment.SetEnvironmentVariable(ExecSettings.SpillDirectoryVariable, spill);
        try
        {
            return await ExecuteRunAsync().ConfigureAwait(false);
        }
        finally
        {
            if (Directory.Exists(spill))
            {
                Directory.Delete(spill, recursive: true);
            }
        }
    }

    private async Task<int> ExecuteRunAsync()
    {
        var options = new MasterOptions();
        if (TryParse(options, out ExecSettings settings) is { } usage)
        {
            return Usage(usage);
        }

        IReadOnlyList<ExecTask>? tasks = null;
        if (!Master.IsWorker && settings.Mode == ExecMode.TaskList)
        {
            try
            {
                tasks = TaskList.Parse(ReadTaskList(settings));
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                return Fail(ExitCodes.AssemblyNotFound, $"task list file not found: {settings.InFile}");
            }
            catch (FormatException ex)
            {
                return Fail(ExitCodes.Usage, ex.Message);
            }

            if (settings.Verbose)
            {
                _error.WriteLine($"divvy: {tasks.Count} {(tasks.Count == 1 ? "task" : "tasks")} to process on {options.Workers} {(options.Workers == 1 ? "worker" : "workers")}");
            }
        }

        RunLog? log;
        try
        {
            log = !Master.IsWorker && settings.Database is { } path ? new RunLog(path) : null;
        }
        catch (SqliteException ex)
        {
            return Fail(ExitCodes.Usage, $"cannot open the run log {settings.Database}: {ex.Message}");
        }

        // Routed: while a progress line is pinned, grouped output and these lines go above it.
        var output = new RoutedWriter(_out);
        var error = new RoutedWriter(_error);
        using ExecReporter? reporter = Master.IsWorker ? null : new ExecReporter(settings, output, error, log);
        using ILoggerFactory logging = CommandRun.Logging(new ExecLogFilter(new StderrLoggerProvider(error)), settings.Verbose ? LogLevel.Information : LogLevel.Warning);
        options.LoggerFactory = logging;

        RepeatDeadline? deadline = null;
        // The master itself failed (reading input lines, launching workers): one line, and the exit code divvy gives it.
        return await _run.RunAsync(
            () => _progress.RunAsync(options, error, o => new Master(new ExecJob(settings, tasks, reporter), o), RunAsync, routed => output.Target = routed ? Console.Out : _out),
            Report,
            "the run failed",
            DivvyCommand.KnownFailure).ConfigureAwait(false);

        async Task<RunSummary> RunAsync(Master master)
        {
            await using RepeatDeadline? watch = deadline = settings.Mode == ExecMode.Repeat && settings.Duration is { } duration && !Master.IsWorker
                ? new RepeatDeadline(master, duration)
                : null;
            return await master.RunAsync(watch?.Token ?? CancellationToken.None).ConfigureAwait(false);
        }

        int Report(RunSummary summary)
        {
            bool durationElapsed = summary.StopReason == StopReason.Cancelled && deadline?.Reached == true;
            reporter!.Finish(summary);
            if (settings.Verbose)
            {
                reporter.Summarize(summary, durationElapsed);
            }

            // A repeat run that reached its --duration ended as asked: a success when every run that
            // ran succeeded, whatever was still queued.
            return durationElapsed
                ? ExecReporter.Failures(summary) == 0 ? ExitCodes.Success : ExitCodes.ItemsFailed
                : ExitCodes.ForRun(summary, everythingSucceeded: true);
        }
    }

    /// <summary>
    /// Applies the run options (<see cref="RunOptions"/>, as <c>divvy</c> parses them) to
    /// <paramref name="options"/> and reads exec's own into <paramref name="settings"/>: the usage
    /// error, or null. Workers parse the same command line again and get the same settings.
    /// </summary>
    private string? TryParse(MasterOptions options, out ExecSettings settings)
    {
        settings = new ExecSettings();
        string[] positionals = _first.Value is { } first ? [first, .. _rest] : [];
        CommandOption workers = _runOptions.FlagFor(nameof(MasterOptions.Workers));
        if (_maxThreads.HasValue() && !workers.HasValue())
        {
            // -t is -n as go-workerpool spells it: one flag to parse and check.
            workers.Values.Add(_maxThreads.Value());
        }

        if (_runOptions.TryApply(options) is { } usage)
        {
            return usage;
        }

        // The core's deadline cancels the item's token; the command's group then gets SIGTERM and,
        // after --timeout-grace, SIGKILL. The master kills the worker only later, as a backstop for
        // a worker that cannot: its own grace is the command's plus a margin.
        double? timeout = options.ItemTimeout?.TotalSeconds;
        TimeSpan grace = options.ItemTimeoutGrace;
        if (options.ItemTimeout is not null)
        {
            options.ItemTimeoutGrace = TimeSpan.FromTicks(Math.Min((grace + ExecSettings.WorkerKillMargin).Ticks, MasterOptions.ItemTimeoutGraceRange.Max));
        }

        long spill = 8 * 1024 * 1024;
        if (_spillAfter.HasValue() && !Values.TryParseSize(_spillAfter.Value()!, 1024, long.MaxValue, out spill))
        {
            return $"--spill-after must be a size of at least 1K, got '{_spillAfter.Value()}'";
        }

        long? runs = null;
        if (_count.HasValue())
        {
            if (!Values.TryParseCount(_count.Value()!, 1, long.MaxValue, out long c))
            {
                return $"--count must be a whole number of at least 1, got '{_count.Value()}'";
            }

            runs = c;
        }

        TimeSpan? duration = null;
        if (_duration.HasValue())
        {
            if (!Values.TryParseDuration(_duration.Value()!, out TimeSpan d) || d <= TimeSpan.Zero || d > ExecSettings.MaxWait)
            {
                return $"--duration must be a duration such as 30s or 5m (at most 24 days), got '{_duration.Value()}'";
            }

            duration = d;
        }

        if ((runs is not null || duration is not null) && !_repeat.HasValue())
        {
            return "--count and --duration go with --repeat";
        }

        ExecMode mode;
        if (_repeat.HasValue())
        {
            mode = ExecMode.Repeat;
            if (positionals.Length == 0)
            {
                return "--repeat needs a command: divvy exec --repeat -n 12 ./script.sh";
            }
        }
        else if (_inFile.HasValue() || (positionals.Length == 1 && (positionals[0] == "-" || positionals[0].TrimStart().StartsWith('[') || positionals[0].TrimStart().StartsWith('{'))))
        {
            mode = ExecMode.TaskList;
        }
        else if (positionals.Length > 0)
        {
            mode = ExecMode.Lines;
        }
        else
        {
            return "nothing to run: give a task list (JSON, -i FILE or -), a command template, or --repeat COMMAND";
        }

        settings = new ExecSettings
        {
            Mode = mode,
            InlineJson = mode == ExecMode.TaskList && !_inFile.HasValue() && positionals[0] != "-" ? positionals[0] : null,
            InFile = _inFile.HasValue() ? _inFile.Value() : mode == ExecMode.TaskList && positionals[0] == "-" ? "-" : null,
            ArgsFile = _argsFile.Value(),
            Command = mode == ExecMode.TaskList ? [] : positionals,
            Shell = _shell.HasValue(),
            Tag = _tag.HasValue(),
            Json = _json.HasValue(),
            OutFile = _outFile.Value(),
            Database = _db.Value(),
            TimeoutSeconds = timeout,
            TimeoutGrace = grace,
            SpillAfter = spill,
            SpillDirectory = Environment.GetEnvironmentVariable(ExecSettings.SpillDirectoryVariable),
            Count = runs,
            Duration = duration,
            Verbose = _verbose.HasValue(),
        };
        return null;
    }

    /// <summary>A shared flag's help in exec's words; its default and range stay as <see cref="RunOptions"/> wrote them.</summary>
    private void Reword(string property, string description)
    {
        CommandOption flag = _runOptions.FlagFor(property);
        flag.Description = description + flag.Description![flag.Description!.IndexOf(" (default", StringComparison.Ordinal)..];
    }

    private static string ReadTaskList(ExecSettings settings) => settings switch
    {
        { InlineJson: { } json } => json,
        { InFile: "-" } => Console.In.ReadToEnd(),
        { InFile: { } path } => File.ReadAllText(path),
        _ => "[]",
    };

    private int Usage(string message) => _run.Usage(message);

    private int Fail(int exitCode, string message) => _run.Fail(exitCode, message);
}
