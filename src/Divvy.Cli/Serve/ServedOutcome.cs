using System.Text.Json.Nodes;

namespace Divvy.Cli.Serve;

/// <summary>A served item, settled: its result (the job's <c>TResult</c>, or null) and the EXIT's other fields.</summary>
internal sealed record ServedOutcome(object? Result, JsonObject Exit);
