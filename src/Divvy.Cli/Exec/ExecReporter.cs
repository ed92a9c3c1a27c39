using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Divvy.Cli.Exec;

/// <summary>
/// The master's end of <c>divvy exec</c>: every task's last attempt is logged (SQLite, verbose
/// lines), then kept for the results JSON, printed as one uninterrupted block (line mode), or
/// dropped (repeat mode). What failed is counted by the master itself (<see cref="RunSummary"/>):
/// a failing command is a failed attempt to it.
/// </summary>
internal sealed class ExecReporter : IDisposable
{
    private readonly ExecSettings _settings;
    private readonly TextWriter _out;
    private readonly TextWriter _error;
    private readonly RunLog? _log;
    private readonly List<(ExecOutcome Outcome, int Attempts)> _results = [];
    private bool _failureReported;

    public ExecReporter(ExecSettings settings, TextWriter output, TextWriter error, RunLog? log)
    {
        _settings = settings;
        _out = output;
        _error = error;
        _log = log;
    }

    private bool WritesJson => _settings.Json || _settings.Mode == ExecMode.TaskList;

    /// <summary>Tasks that ran and did not succeed, after their retries: what the master counts as failures.</summary>
    public static long Failures(RunSummary summary) => summary.Failed + summary.Crashed + summary.TimedOut + summary.Quarantined;

    public void Record(ItemResult<ExecTask, ExecOutcome> result)
    {
        if (result.Status == ItemStatus.Skipped)
        {
            // Settled in an earlier run (--journal): a row that says so, nothing run, nothing logged.
            if (WritesJson && _settings.Mode != ExecMode.Repeat)
            {
                _results.Add((Lost(result), result.Attempts));
            }

            return;
        }

        // A failed command's last attempt carried its outcome; a crashed worker's or a task never run has none.
        ExecOutcome outcome = result.Result ?? Lost(result);
        if (result is { Status: ItemStatus.NotPerformed, Result: not null })
        {
            // It failed, and was waiting for its retry when the run stopped (Ctrl-C, --halt, --duration).
            outcome.Error ??= "the run stopped before its retry";
        }

        bool ran = result.Result is not null || result.Status != ItemStatus.NotPerformed;
        bool failed = ran && !result.Succeeded;
        if (!failed && _settings.Verbose)
        {
            _error.WriteLine($"divvy: {Describe(outcome)}{Where(outcome)}");
        }

        if (ran || _settings.Mode != ExecMode.Repeat)
        {
            // A repeat run stopped early has runs that were only queued: they are no runs of the log.
            _log?.Append(result.Item, outcome, result.Attempts);
        }

        if (_settings.Mode == ExecMode.Repeat)
        {
            Discard(outcome);
        }
        else if (WritesJson)
        {
            _results.Add((outcome, result.Attempts));
        }
        else
        {
            // Grouped: one task's output in one piece, never mixed with another's.
            outcome.Stdout.CopyTo(_out);
            outcome.Stderr.CopyTo(_error);
            _out.Flush();
            Discard(outcome);
        }

        // After the command's own output, so the line reads as its verdict.
        if (failed)
        {
            ReportFailure(outcome, result.Attempts);
        }
    }

    /// <summary>
    /// The end-of-run report for <c>-v</c>: the master's own (<see cref="RunSummary.Describe"/>),
    /// with a repeat run that reached its <c>--duration</c> said so rather than "cancelled".
    /// </summary>
    public void Summarize(RunSummary summary, bool durationElapsed)
    {
        string[] report = summary.Describe().Split(Environment.NewLine);
        string first = report[0];
        if (durationElapsed && _settings.Duration is { } duration)
        {
            first = string.Create(CultureInfo.InvariantCulture, $"ended at --duration ({duration.TotalSeconds:0.###} s): {first[(first.IndexOf(": ", StringComparison.Ordinal) + 2)..]}");
        }

        _error.WriteLine($"divvy: run {first}");
        foreach (string line in report.Skip(1))
        {
            _error.WriteLine($"divvy: {line}");
        }
    }

    /// <summary>
    /// A failed command gets a line on stderr: every one in line mode; the first in load mode
    /// (the summary counts the rest); in task-list mode its JSON row says it, so only with -v.
    /// </summary>
    private void ReportFailure(ExecOutcome outcome, int attempts)
    {
        bool report = _settings.Mode switch
        {
            ExecMode.Lines => true,
            ExecMode.Repeat => !_failureReported || _settings.Verbose,
            _ => _settings.Verbose,
        };
        if (report)
        {
            string first = _settings.Mode == ExecMode.Repeat && !_settings.Verbose ? " (the first failure; the summary counts them all)" : "";
            string tries = attempts > 1 ? $" after {attempts} attempts" : "";
            _error.WriteLine($"divvy exec: {Describe(outcome)}{tries}{(_settings.Verbose ? Where(outcome) : "")}{first}");
        }

        _failureReported = true;
    }

    /// <summary><c>identifier: exit code N (reason)</c>.</summary>
    private static string Describe(ExecOutcome outcome) => $"{outcome.Identifier}: {outcome.Verdict()}";

    private static string Where(ExecOutcome outcome) => $" in {outcome.DurationMs:F0} ms on worker {outcome.Worker}";

    /// <summary>After the run: the results JSON (last on stdout, or the outfile) or the repeat summary.</summary>
    public void Finish(RunSummary summary)
    {
        if (_settings.Mode == ExecMode.Repeat)
        {
            _error.WriteLine($"divvy: {RepeatSummary(summary)}");
            return;
        }

        if (!WritesJson)
        {
            return;
        }

        if (_settings.OutFile is { } path)
        {
            using FileStream file = File.Create(path);
            WriteJson(file);
        }
        else
        {
            _out.Flush();
            using Stream stdout = Console.OpenStandardOutput();
            WriteJson(stdout);
            stdout.WriteByte((byte)'\n');
        }

        _results.ForEach(r => Discard(r.Outcome));
    }

    private void WriteJson(Stream destination)
    {
        // One line, as go-workerpool prints it, so callers can decode the last line of stdout.
        using var json = new Utf8JsonWriter(destination, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartArray();
        foreach ((ExecOutcome outcome, int attempts) in _results)
        {
            json.WriteStartObject();
            json.WriteString("identifier", outcome.Identifier);
            json.WriteNumber("exit_code", outcome.ExitCode);
            json.WriteString("result_body", outcome.Stdout.ReadAll());
            json.WriteString("stderr", outcome.Stderr.ReadAll());
            if (outcome.Signal is { } signal)
            {
                json.WriteNumber("signal", signal);
            }
            else
            {
                json.WriteNull("signal");
            }

            json.WriteString("started_at", outcome.StartedAt);
            json.WriteNumber("duration_ms", Math.Round(outcome.DurationMs, 3));
            json.WriteNumber("worker", outcome.Worker);
            if (outcome.Error is { } error)
            {
                json.WriteString("error", error);
            }
            else
            {
                json.WriteNull("error");
            }

            json.WriteNumber("attempts", attempts);

            json.WriteEndObject();
            json.Flush();
        }

        json.WriteEndArray();
        json.Flush();
    }

    /// <summary>
    /// Load mode's summary, from the master's counts and duration percentiles (over attempts):
    /// runs are the tasks that ran, failures those that did not succeed after their retries.
    /// </summary>
    internal static string RepeatSummary(RunSummary summary)
    {
        long runs = summary.Dispatched - summary.NotPerformed;
        double seconds = summary.Elapsed.TotalSeconds;
        return runs == 0
            ? string.Create(CultureInfo.InvariantCulture, $"repeat: 0 runs in {seconds:F2} s")
            : string.Create(
                CultureInfo.InvariantCulture,
                $"repeat: {runs} runs, {Failures(summary)} failures, {runs / Math.Max(seconds, 1e-9):F1} runs/s over {seconds:F2} s; duration p50 {summary.DurationP50.TotalMilliseconds:F1} ms, p90 {summary.DurationP90.TotalMilliseconds:F1} ms, p99 {summary.DurationP99.TotalMilliseconds:F1} ms, max {summary.DurationMax.TotalMilliseconds:F1} ms");
    }

    /// <summary>A task whose worker crashed, or that never ran: still a row, with the reason.</summary>
    private static ExecOutcome Lost(ItemResult<ExecTask, ExecOutcome> result) => new()
    {
        Identifier = result.Item.Identifier,
        Worker = result.Worker.Number,
        StartedAt = "",
        ExitCode = result.Status == ItemStatus.Skipped ? result.Result?.ExitCode ?? -1 : -1,
        Error = result.Status switch
        {
            ItemStatus.NotPerformed => "not performed: the run stopped before this task ran",
            ItemStatus.Skipped when result.Error is null => "skipped: it succeeded in an earlier run (--journal)",
            ItemStatus.Skipped => $"skipped: it settled in an earlier run (--journal): {result.Error.Message}",
            _ => $"{Words.Of(result.Status)}: {result.Error?.Message ?? "no result"}",
        },
    };

    private static void Discard(ExecOutcome outcome)
    {
        outcome.Stdout.Delete();
        outcome.Stderr.Delete();
    }

    public void Dispose() => _log?.Dispose();
}
