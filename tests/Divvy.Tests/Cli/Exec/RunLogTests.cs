using Divvy.Cli.Exec;
using Microsoft.Data.Sqlite;

namespace Divvy.Tests.Cli.Exec;

public sealed class RunLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("divvy-runlog-").FullName;

    private string Database => Path.Combine(_dir, "run_logs.db");

    [Fact]
    public void Each_invocation_tags_its_rows_so_one_can_be_told_from_the_next()
    {
        string first;
        string second;
        using (var log = new RunLog(Database))
        {
            first = log.Invocation;
            log.Append(Task("a"), Outcome("a"), 1);
            log.Append(Task("b"), Outcome("b"), 1);
        }

        using (var log = new RunLog(Database))
        {
            second = log.Invocation;
            log.Append(Task("a"), Outcome("a"), 1);
        }

        second.Should().NotBe(first);
        Rows("SELECT invocation, count(*) FROM runs GROUP BY invocation ORDER BY min(id)")
            .Should().Equal($"{first}|2", $"{second}|1");
        Rows("SELECT DISTINCT invocation_started_at IS NOT NULL FROM runs").Should().Equal("1");
    }

    [Fact]
    public void A_log_written_before_the_invocation_and_attempts_columns_existed_gets_them_and_keeps_its_rows()
    {
        using (var connection = Open())
        {
            Execute(connection, """
                CREATE TABLE runs (
                    id INTEGER PRIMARY KEY, identifier TEXT NOT NULL, command TEXT NOT NULL, args TEXT NOT NULL,
                    worker INTEGER, started_at TEXT NOT NULL, duration_ms REAL NOT NULL, exit_code INTEGER NOT NULL,
                    signal INTEGER, error TEXT);
                INSERT INTO runs (identifier, command, args, worker, started_at, duration_ms, exit_code)
                VALUES ('old', 'true', '[]', 1, '2026-01-01T00:00:00Z', 1.0, 0);
                """);
        }

        string invocation;
        using (var log = new RunLog(Database, invocationStartedAt: new DateTimeOffset(2026, 11, 30, 7, 0, 0, TimeSpan.Zero)))
        {
            invocation = log.Invocation;
            log.Append(Task("new"), Outcome("new"), 3);
        }

        Rows("SELECT identifier, ifnull(invocation, 'NULL'), ifnull(invocation_started_at, 'NULL'), ifnull(attempts, 'NULL') FROM runs ORDER BY id")
            .Should().Equal("old|NULL|NULL|NULL", $"new|{invocation}|2026-11-30T07:00:00.0000000+00:00|3");

        // Opening it again finds the columns there and adds nothing.
        using (var again = new RunLog(Database))
        {
            again.Append(Task("newer"), Outcome("newer"), 1);
        }

        Rows("SELECT count(*) FROM runs").Should().Equal("3");
    }

    private static ExecTask Task(string identifier) => new() { Identifier = identifier, Command = "echo", Args = [identifier] };

    private static ExecOutcome Outcome(string identifier) => new()
    {
        Identifier = identifier,
        StartedAt = "2026-11-30T07:00:01.0000000+00:00",
        DurationMs = 2,
        Worker = 1,
        Stdout = new CapturedOutput { Text = identifier + "\n", Length = identifier.Length + 1 },
    };

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection($"Data Source={Database};Pooling=False");
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private List<string> Rows(string sql)
    {
        using SqliteConnection connection = Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        using SqliteDataReader reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
