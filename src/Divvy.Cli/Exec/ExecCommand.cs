using Divvy.Cli.Logging;
using McMaster.Extensions.CommandLineUtils;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Divvy.Cli.Exec;

/// <summary>
/// <c>divvy exec</c>: run commands in parallel without writing C#. A go-workerpool task list, a
/// command template over input lines, or one command repeated for load; the same master, workers,
/// failure handling and exit codes as <c>divvy job.dll</c>.
/// </summary>
internal sealed class ExecCommand
{
    private readonly TextWriter _out;
    private readonly TextWriter _error;
    private readonly CommandRun _run;
    private readonly CommandLineApplication _app;
    private readonly CommandOption _workers;
    private readonly CommandOption _maxThreads;
    private readonly CommandOption _inFile;
    private readonly CommandOption _outFile;
    private readonly CommandOption _verbose;
    private readonly CommandOption _argsFile;
    private readonly CommandOption _shell;
    private readonly CommandOption _tag;
    private readonly CommandOption _json;
    private readonly CommandOption _db;
    private readonly CommandOption _timeout;
    private readonly CommandOption _timeoutGrace;
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
                duration_ms, worker, error. Commands run without a shell unless a task says
                "shell": true (or --shell); each in its own process group. On timeout the group gets
                SIGTERM, then SIGKILL after --timeout-grace. A failing command gets a line on stderr in
                line mode (the first one only in --repeat mode; task lists have its JSON row).
                --repeat keeps no command output unless --tag or --db is given.

                Exit codes: 0 every command exited 0, 1 some did not (or could not start),
                2 bad arguments or task list, 3 input file not found, 9 the run failed,
                130 interrupted, 143 terminated.
                """,
        };
        _app.HelpOption("-h|--help");
        _workers = _app.Option("-n|--workers <N>", "Number of worker processes (default: number of CPUs).", CommandOptionType.SingleValue);
        _maxThreads = _app.Option("-t|--max_threads <N>", "Synonym of -n, as go-workerpool spells it.", CommandOptionType.SingleValue);
        _inFile = _app.Option("-i|--infile <FILE>", "Read the task list from FILE (- for stdin).", CommandOptionType.SingleValue);
        _outFile = _app.Option("-o|--outfile <FILE>", "Write the results JSON to FILE instead of stdout.", CommandOptionType.SingleValue);
        _verbose = _app.Option("-v|--verbose", "Progress and worker lifecycle on stderr (stdout stays pure JSON).", CommandOptionType.NoValue);
        _argsFile = _app.Option("--args-file <FILE>", "Lines for the command template (default: stdin).", CommandOptionType.SingleValue);
        _shell = _app.Option("--shell", "Run the command template through /bin/sh -c.", CommandOptionType.NoValue);
        _tag = _app.Option("--tag", "Stream each command's output live, every line prefixed with [identifier].", CommandOptionType.NoValue);
        _json = _app.Option("--json", "Print the results JSON for line mode too.", CommandOptionType.NoValue);
        _db = _app.Option("--db <FILE>", "Append every run and its output lines to this SQLite database.", CommandOptionType.SingleValue);
        _timeout = _app.Option("--timeout <DURATION>", "Stop a command's process group after this long: SIGTERM, then SIGKILL after the grace (tasks may set their own \"timeout\").", CommandOptionType.SingleValue);
        _timeoutGrace = _app.Option("--timeout-grace <DURATION>", "After a timeout's SIGTERM, wait this long before SIGKILL (default 2s; 0 kills at once).", CommandOptionType.SingleValue);
        _spillAfter = _app.Option("--spill-after <BYTES>", "Keep at most this much of one command's output in memory, then spill to disk (default 8M).", CommandOptionType.SingleValue);
        _repeat = _app.Option("--repeat", "Load mode: run the command again and again.", CommandOptionType.NoValue);
        _count = _app.Option("--count <N>", "With --repeat: stop after N runs.", CommandOptionType.SingleValue);
        _duration = _app.Option("--duration <DURATION>", "With --repeat: stop after this long (from the first run); queued runs are dropped, runs in flight finish.", CommandOptionType.SingleValue);
        _first = _app.Argument("input", "A task list JSON, -, or the command (then its arguments follow).");
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
        if (TryParse(out ExecSettings settings, out int workers) is { } usage)
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
                _error.WriteLine($"divvy: {tasks.Count} {(tasks.Count == 1 ? "task" : "tasks")} to process on {workers} {(workers == 1 ? "worker" : "workers")}");
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

        using ExecReporter? reporter = Master.IsWorker ? null : new ExecReporter(settings, _out, _error, log);
        using ILoggerFactory logging = CommandRun.Logging(new RunSummaryFilter(new StderrLoggerProvider(_error)), settings.Verbose ? LogLevel.Information : LogLevel.Warning);
        var options = new MasterOptions { Workers = workers, LoggerFactory = logging };

        var master = new Master(new ExecJob(settings, tasks, reporter), options);
        await using RepeatDeadline? deadline = settings.Mode == ExecMode.Repeat && settings.Duration is { } duration && !Master.IsWorker
            ? new RepeatDeadline(master, duration)
            : null;
        // The master itself failed (reading input lines, launching workers): every such failure is "the run failed".
        return await _run.RunAsync(() => master.RunAsync(deadline?.Token ?? CancellationToken.None), Report, "the run failed").ConfigureAwait(false);

        int Report(RunSummary summary)
        {
            reporter!.Finish();
            bool durationElapsed = summary.StopReason == StopReason.Cancelled && deadline?.Reached == true;
            if (settings.Verbose)
            {
                _error.WriteLine($"divvy: run {reporter.Summarize(summary, durationElapsed)}");
            }

            // A repeat run that reached its --duration ended as asked: a success when every run that
            // ran exited 0, whatever was still queued.
            return durationElapsed
                ? reporter.Failed == 0 ? ExitCodes.Success : ExitCodes.ItemsFailed
                : ExitCodes.ForRun(summary, everythingSucceeded: reporter.Failed == 0);
        }
    }

    private string? TryParse(out ExecSettings settings, out int workers)
    {
        settings = new ExecSettings();
        workers = Environment.ProcessorCount;
        string[] positionals = _first.Value is { } first ? [first, .. _rest] : [];
        CommandOption? count = _workers.HasValue() ? _workers : _maxThreads.HasValue() ? _maxThreads : null;
        if (count is not null)
        {
            if (!Values.TryParseCount(count.Value()!, 1, 1024, out long n))
            {
                return $"-n/--workers (-t/--max_threads) must be a whole number from 1 to 1024, got '{count.Value()}'";
            }

            workers = (int)n;
        }

        double? timeout = null;
        if (_timeout.HasValue())
        {
            if (!Values.TryParseDuration(_timeout.Value()!, out TimeSpan t) || t <= TimeSpan.Zero || t > ExecSettings.MaxWait)
            {
                return $"--timeout must be a duration such as 500ms, 30s or 5m (at most 24 days), got '{_timeout.Value()}'";
            }

            timeout = t.TotalSeconds;
        }

        TimeSpan grace = ExecSettings.DefaultTimeoutGrace;
        if (_timeoutGrace.HasValue() && (!Values.TryParseDuration(_timeoutGrace.Value()!, out grace) || grace > ExecSettings.MaxWait))
        {
            return $"--timeout-grace must be a duration such as 0, 500ms or 10s (at most 24 days), got '{_timeoutGrace.Value()}'";
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
            Count = runs,
            Duration = duration,
            Verbose = _verbose.HasValue(),
        };
        return null;
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
