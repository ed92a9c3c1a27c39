using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Divvy.Cli.Exec;

/// <summary>
/// Appends every run to a SQLite database: a <c>runs</c> row each (a task's last attempt, with its
/// number of attempts), and its output lines with stream and line number. WAL journaling, one transaction per run: a master killed mid-run leaves every
/// committed run readable and the file intact. Each <c>divvy exec</c> writes its own
/// <c>invocation</c> id (time-ordered) and start time on its rows, so one run of the command can
/// be told from the next; a log written before those columns (or <c>attempts</c>) existed gets them
/// added, its old rows left with nulls.
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
            error       TEXT,
            invocation  TEXT,
            invocation_started_at TEXT,
            attempts    INTEGER
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

    /// <summary>Columns added after the first release, with their types: added to older logs on open.</summary>
    private static readonly (string Name, string Type)[] s_addedColumns = [("invocation", "TEXT"), ("invocation_started_at", "TEXT"), ("attempts", "INTEGER")];

    private readonly SqliteConnection _connection;

    /// <param name="path">The database file; created when missing.</param>
    /// <param name="invocation">This invocation's id, written on every row; a new time-ordered one when null.</param>
    /// <param name="invocationStartedAt">When this invocation started; now when null.</param>
    public RunLog(string path, string? invocation = null, DateTimeOffset? invocationStartedAt = null)
    {
        Invocation = invocation ?? Guid.CreateVersion7().ToString();
        InvocationStartedAt = (invocationStartedAt ?? DateTimeOffset.UtcNow).ToString("O", CultureInfo.InvariantCulture);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        _connection.Open();
        using SqliteCommand create = _connection.CreateCommand();
        create.CommandText = Schema;
        create.ExecuteNonQuery();
        AddMissingColumns();
    }

    /// <summary>This invocation's id, the <c>invocation</c> column of its rows.</summary>
    public string Invocation { get; }

    /// <summary>When this invocation started (ISO 8601 UTC), the <c>invocation_started_at</c> column.</summary>
    public string InvocationStartedAt { get; }

    private void AddMissingColumns()
    {
        // One writer at a time (BEGIN IMMEDIATE), so two invocations opening an old log at once
        // do not both add the column.
        using SqliteTransaction transaction = _connection.BeginTransaction(deferred: false);
        var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using (SqliteCommand columns = _connection.CreateCommand())
        {
            columns.Transaction = transaction;
            columns.CommandText = "SELECT name FROM pragma_table_info('runs')";
            using SqliteDataReader reader = columns.ExecuteReader();
            while (reader.Read())
            {
                present.Add(reader.GetString(0));
            }
        }

        foreach ((string name, string type) in s_addedColumns.Where(c => !present.Contains(c.Name)))
        {
            using SqliteCommand alter = _connection.CreateCommand();
            alter.Transaction = transaction;
            alter.CommandText = $"ALTER TABLE runs ADD COLUMN {name} {type}";
            alter.ExecuteNonQuery();
        }

        using SqliteCommand index = _connection.CreateCommand();
        index.Transaction = transaction;
        index.CommandText = "CREATE INDEX IF NOT EXISTS runs_invocation ON runs(invocation)";
        index.ExecuteNonQuery();
        transaction.Commit();
    }

    /// <summary>A task's last attempt, with its output lines, and how many attempts it took (retries included).</summary>
    public void Append(ExecTask task, ExecOutcome outcome, int attempts)
    {
        using SqliteTransaction transaction = _connection.BeginTransaction();
        long id = InsertRun(transaction, new LoggedRun(outcome.Identifier, task.Command, task.Args, outcome.Worker, outcome.StartedAt, outcome.DurationMs, outcome.ExitCode, outcome.Signal, outcome.Error, attempts));
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

    /// <summary>A run without captured output (a served command streams its output to its client): its row alone.</summary>
    public void Append(LoggedRun run)
    {
        lock (_connection)
        {
            using SqliteTransaction transaction = _connection.BeginTransaction();
            InsertRun(transaction, run);
            transaction.Commit();
        }
    }

    public void Dispose() => _connection.Dispose();

    private long InsertRun(SqliteTransaction transaction, LoggedRun logged)
    {
        using SqliteCommand run = _connection.CreateCommand();
        run.Transaction = transaction;
        run.CommandText = """
            INSERT INTO runs (identifier, command, args, worker, started_at, duration_ms, exit_code, signal, error, invocation, invocation_started_at, attempts)
            VALUES ($identifier, $command, $args, $worker, $started, $duration, $exit, $signal, $error, $invocation, $invocationStarted, $attempts)
            RETURNING id
            """;
        run.Parameters.AddWithValue("$identifier", logged.Identifier);
        run.Parameters.AddWithValue("$command", logged.Command);
        run.Parameters.AddWithValue("$args", JsonSerializer.Serialize(logged.Args));
        run.Parameters.AddWithValue("$worker", (object?)logged.Worker ?? DBNull.Value);
        run.Parameters.AddWithValue("$started", logged.StartedAt);
        run.Parameters.AddWithValue("$duration", logged.DurationMs);
        run.Parameters.AddWithValue("$exit", logged.ExitCode);
        run.Parameters.AddWithValue("$signal", (object?)logged.Signal ?? DBNull.Value);
        run.Parameters.AddWithValue("$error", (object?)logged.Error ?? DBNull.Value);
        run.Parameters.AddWithValue("$invocation", Invocation);
        run.Parameters.AddWithValue("$invocationStarted", InvocationStartedAt);
        run.Parameters.AddWithValue("$attempts", (object?)logged.Attempts ?? DBNull.Value);
        return Convert.ToInt64(run.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
