namespace Divvy.Cli.Exec;

/// <summary>One row of the run log's <c>runs</c> table; <paramref name="Attempts"/> is null where there are no retries (a served command).</summary>
internal sealed record LoggedRun(string Identifier, string Command, IReadOnlyList<string> Args, int? Worker, string StartedAt, double DurationMs, int ExitCode, int? Signal, string? Error, int? Attempts = null);
