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

    public int Failed { get; private set; }

    public RepeatStats Stats { get; } = new();

    private bool WritesJson => _settings.Json || _settings.Mode == ExecMode.TaskList;

    public void Record(ItemResult<ExecTask, ExecOutcome> result)
    {
        ExecOutcome outcome = result.Succeeded && result.Result is { } done ? done : Lost(result);
        if (!outcome.Succeeded)
        {
            Failed++;
        }

        if (_settings.Verbose)
        {
            _error.WriteLine($"divvy: {outcome.Identifier}: exit code {outcome.ExitCode}{(outcome.Error is null ? "" : $" ({outcome.Error})")} in {outcome.DurationMs:F0} ms on worker {outcome.Worker}");
        }

        _log?.Append(result.Item, outcome);
        if (_settings.Mode == ExecMode.Repeat)
        {
            Stats.Add(outcome);
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
    }

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
        Error = $"{result.Status.ToString().ToLowerInvariant()}: {result.Error?.Message ?? "no result"}",
    };

    private static void Discard(ExecOutcome outcome)
    {
        outcome.Stdout.Delete();
        outcome.Stderr.Delete();
    }

    public void Dispose() => _log?.Dispose();
}
