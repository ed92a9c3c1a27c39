using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Divvy.Cli.Exec;

/// <summary>
/// The master's end of <c>divvy exec</c>: every result is logged (SQLite, verbose lines), then
/// kept for the results JSON, printed as one uninterrupted block (line mode), or counted (repeat mode).
/// </summary>
internal sealed class ExecReporter : IDisposable
{
    private readonly ExecSettings _settings;
    private readonly TextWriter _out;
    private readonly TextWriter _error;
    private readonly RunLog? _log;
    private readonly List<ExecOutcome> _results = [];

    public ExecReporter(ExecSettings settings, TextWriter output, TextWriter error, RunLog? log)
    {
        _settings = settings;
        _out = output;
        _error = error;
        _log = log;
    }

    /// <summary>Commands that ran and did not succeed: a non-zero exit, no start, a timeout, a lost worker.</summary>
    public int Failed { get; private set; }

    /// <summary>Commands the master counts as succeeded (Perform returned) that exited non-zero or did not start.</summary>
    public int CommandsFailed { get; private set; }

    public RepeatStats Stats { get; } = new();

    private bool WritesJson => _settings.Json || _settings.Mode == ExecMode.TaskList;

    public void Record(ItemResult<ExecTask, ExecOutcome> result)
    {
        ExecOutcome outcome = result.Succeeded && result.Result is { } done ? done : Lost(result);
        bool ran = Ran(result.Status);
        bool failed = ran && !outcome.Succeeded;
        if (failed)
        {
            Failed++;
            if (result.Succeeded)
            {
                CommandsFailed++;
            }
        }
        else if (_settings.Verbose)
        {
            _error.WriteLine($"divvy: {Describe(outcome)}{Where(outcome)}");
        }

        if (ran || _settings.Mode != ExecMode.Repeat)
        {
            // A repeat run stopped early has runs that were only queued: they are no runs of the log.
            _log?.Append(result.Item, outcome);
        }

        if (_settings.Mode == ExecMode.Repeat)
        {
            if (ran)
            {
                Stats.Add(outcome);
            }

            Discard(outcome);
        }
        else if (WritesJson)
        {
            _results.Add(outcome);
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
            ReportFailure(outcome);
        }
    }

    /// <summary>
    /// The run's one-line summary, as the master's own but with commands that exited non-zero
    /// counted as failed, and a repeat run that reached its <c>--duration</c> said so rather than "cancelled".
    /// </summary>
    public string Summarize(RunSummary summary, bool durationElapsed)
    {
        var counted = new RunSummary
        {
            Dispatched = summary.Dispatched,
            Succeeded = summary.Succeeded - CommandsFailed,
            Failed = summary.Failed + CommandsFailed,
            Crashed = summary.Crashed,
            TimedOut = summary.TimedOut,
            Quarantined = summary.Quarantined,
            NotPerformed = summary.NotPerformed,
            Retries = summary.Retries,
            WorkersRecycled = summary.WorkersRecycled,
            WorkersTimedOut = summary.WorkersTimedOut,
            WorkersUnresponsive = summary.WorkersUnresponsive,
            WorkersLost = summary.WorkersLost,
            LateResultsRejected = summary.LateResultsRejected,
            DurationP50 = summary.DurationP50,
            DurationP95 = summary.DurationP95,
            DurationMax = summary.DurationMax,
            Slowest = summary.Slowest,
            SpawnsByReason = summary.SpawnsByReason,
            HaltReason = summary.HaltReason,
            WorkersSpawned = summary.WorkersSpawned,
            WorkerCrashes = summary.WorkerCrashes,
            Elapsed = summary.Elapsed,
            StopReason = summary.StopReason,
        };
        string line = counted.ToString();
        return durationElapsed && _settings.Duration is { } duration
            ? string.Create(CultureInfo.InvariantCulture, $"ended at --duration ({duration.TotalSeconds:0.###} s): {line[(line.IndexOf(": ", StringComparison.Ordinal) + 2)..]}")
            : line;
    }

    /// <summary>
    /// Whether the command was run (or tried): every status but the one for items the run never
    /// got to, which the master may report once it stops early.
    /// </summary>
    private static bool Ran(ItemStatus status) =>
        status is ItemStatus.Succeeded or ItemStatus.Failed or ItemStatus.Crashed or ItemStatus.TimedOut or ItemStatus.Quarantined;

    /// <summary>
    /// A failed command gets a line on stderr: every one in line mode; the first in load mode
    /// (the summary counts the rest); in task-list mode its JSON row says it, so only with -v.
    /// </summary>
    private void ReportFailure(ExecOutcome outcome)
    {
        bool report = _settings.Mode switch
        {
            ExecMode.Lines => true,
            ExecMode.Repeat => Failed == 1 || _settings.Verbose,
            _ => _settings.Verbose,
        };
        if (report)
        {
            string first = _settings.Mode == ExecMode.Repeat && !_settings.Verbose ? " (the first failure; the summary counts them all)" : "";
            _error.WriteLine($"divvy exec: {Describe(outcome)}{(_settings.Verbose ? Where(outcome) : "")}{first}");
        }
    }

    /// <summary><c>identifier: exit code N (reason)</c>.</summary>
    private static string Describe(ExecOutcome outcome)
    {
        string? reason = outcome.Error ?? (outcome.Signal is { } signal ? $"killed by signal {signal}" : null);
        return $"{outcome.Identifier}: exit code {outcome.ExitCode}{(reason is null ? "" : $" ({reason})")}";
    }

    private static string Where(ExecOutcome outcome) => $" in {outcome.DurationMs:F0} ms on worker {outcome.Worker}";

    /// <summary>After the run: the results JSON (last on stdout, or the outfile) or the repeat summary.</summary>
    public void Finish()
    {
        if (_settings.Mode == ExecMode.Repeat)
        {
            _error.WriteLine($"divvy: {Stats.Describe()}");
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

        _results.ForEach(Discard);
    }

    private void WriteJson(Stream destination)
    {
        // One line, as go-workerpool prints it, so callers can decode the last line of stdout.
        using var json = new Utf8JsonWriter(destination, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartArray();
        foreach (ExecOutcome outcome in _results)
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

            json.WriteEndObject();
            json.Flush();
        }

        json.WriteEndArray();
        json.Flush();
    }

    /// <summary>A task whose worker crashed, or whose Perform failed: still a row, with the reason.</summary>
    private static ExecOutcome Lost(ItemResult<ExecTask, ExecOutcome> result) => new()
    {
        Identifier = result.Item.Identifier,
        ExitCode = -1,
        Worker = result.Worker.Number,
        StartedAt = "",
        Error = result.Status == ItemStatus.NotPerformed
            ? "not performed: the run stopped before this task ran"
            : $"{Words.Of(result.Status)}: {result.Error?.Message ?? "no result"}",
    };

    private static void Discard(ExecOutcome outcome)
    {
        outcome.Stdout.Delete();
        outcome.Stderr.Delete();
    }

    public void Dispose() => _log?.Dispose();
}
