using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Divvy.Cli.Exec;

/// <summary>
/// Appends every run to a SQLite database: a <c>runs</c> row each, and its output lines with stream
/// and line number. WAL journaling, one transaction per run: a master killed mid-run leaves every
/// committed run readable and the file intact.
/// </summary>
internal sealed class RunLog : IDisposable
{
    private const string Schema = """
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = NORMAL;
        CREATE TABLE IF NOT EXISTS runs (
            id          INTEGER PRIMARY KEY,
            identifier  TEXT NOT NULL,
            command     TEXT NOT NULL,
            args        TEXT NOT NULL,
            worker      INTEGER,
            started_at  TEXT NOT NULL,
            duration_ms REAL NOT NULL,
            exit_code   INTEGER NOT NULL,
            signal      INTEGER,
            error       TEXT
        );
        CREATE TABLE IF NOT EXISTS output (
            run_id  INTEGER NOT NULL REFERENCES runs(id),
            stream  TEXT NOT NULL CHECK (stream IN ('stdout', 'stderr')),
            line_no INTEGER NOT NULL,
            line    TEXT NOT NULL,
            PRIMARY KEY (run_id, stream, line_no)
        );
        CREATE INDEX IF NOT EXISTS runs_started ON runs(started_at);
        """;

    private readonly SqliteConnection _connection;

    public RunLog(string path)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        _connection.Open();
        using SqliteCommand create = _connection.CreateCommand();
        create.CommandText = Schema;
        create.ExecuteNonQuery();
    }

    public void Append(ExecTask task, ExecOutcome outcome)
    {
        using SqliteTransaction transaction = _connection.BeginTransaction();
        using SqliteCommand run = _connection.CreateCommand();
        run.Transaction = transaction;
        run.CommandText = """
            INSERT INTO runs (identifier, command, args, worker, started_at, duration_ms, exit_code, signal, error)
            VALUES ($identifier, $command, $args, $worker, $started, $duration, $exit, $signal, $error)
            RETURNING id
            """;
        run.Parameters.AddWithValue("$identifier", outcome.Identifier);
        run.Parameters.AddWithValue("$command", task.Command);
        run.Parameters.AddWithValue("$args", JsonSerializer.Serialize(task.Args));
        run.Parameters.AddWithValue("$worker", outcome.Worker);
        run.Parameters.AddWithValue("$started", outcome.StartedAt);
        run.Parameters.AddWithValue("$duration", outcome.DurationMs);
        run.Parameters.AddWithValue("$exit", outcome.ExitCode);
        run.Parameters.AddWithValue("$signal", (object?)outcome.Signal ?? DBNull.Value);
        run.Parameters.AddWithValue("$error", (object?)outcome.Error ?? DBNull.Value);
        long id = Convert.ToInt64(run.ExecuteScalar(), CultureInfo.InvariantCulture);

        using SqliteCommand line = _connection.CreateCommand();
        line.Transaction = transaction;
        line.CommandText = "INSERT INTO output (run_id, stream, line_no, line) VALUES ($run, $stream, $no, $line)";
        SqliteParameter stream = line.Parameters.Add("$stream", SqliteType.Text);
        SqliteParameter number = line.Parameters.Add("$no", SqliteType.Integer);
        SqliteParameter text = line.Parameters.Add("$line", SqliteType.Text);
        line.Parameters.AddWithValue("$run", id);
        foreach ((string name, CapturedOutput output) in new[] { ("stdout", outcome.Stdout), ("stderr", outcome.Stderr) })
        {
            int n = 0;
            foreach (string content in output.Lines())
            {
                stream.Value = name;
                number.Value = ++n;
                text.Value = content;
                line.ExecuteNonQuery();
            }
        }

        transaction.Commit();
    }

    public void Dispose() => _connection.Dispose();
}
