using System.Text.Json.Nodes;

namespace Divvy.Cli.Serve;

/// <summary>A RUN for a command, as docs/protocol.md defines its fields, checked.</summary>
internal sealed record CommandRequest(
    IReadOnlyList<string> Argv,
    IReadOnlyDictionary<string, string> Environment,
    bool CleanEnvironment,
    string? WorkingDirectory,
    bool PipeStdin,
    TimeSpan? Timeout,
    TimeSpan KillGrace,
    string? Id = null)
{
    private static readonly TimeSpan s_defaultGrace = TimeSpan.FromSeconds(2);

    /// <summary>The request, or why it is not one (the REJECTED <c>bad_request</c> message).</summary>
    public static (CommandRequest? Request, string? Error) Parse(JsonObject run)
    {
        try
        {
            string[] argv;
            if (run["argv"] is JsonArray words && run["shell"] is null)
            {
                argv = [.. words.Select(w => w?.GetValue<string>() ?? throw new FormatException("argv holds a null"))];
                if (argv.Length == 0 || argv[0].Length == 0)
                {
                    return (null, "argv is empty");
                }
            }
            else if (run["shell"] is JsonValue shell && run["argv"] is null)
            {
                argv = ["/bin/sh", "-c", shell.GetValue<string>()];
            }
            else
            {
                return (null, "a RUN needs exactly one of argv (a list of strings) and shell (a string)");
            }

            var environment = new Dictionary<string, string>(StringComparer.Ordinal);
            if (run["env"] is JsonObject env)
            {
                foreach ((string name, JsonNode? value) in env)
                {
                    environment[name] = value?.GetValue<string>() ?? throw new FormatException($"env {name} is null");
                }
            }

            string mode = (string?)run["env_mode"] ?? "merge";
            string stdin = (string?)run["stdin"] ?? "pipe";
            if (mode is not ("merge" or "clean") || stdin is not ("pipe" or "null"))
            {
                return (null, $"env_mode must be merge or clean, stdin pipe or null (got {mode}, {stdin})");
            }

            long? timeout = (long?)run["timeout_ms"];
            long? grace = (long?)run["kill_grace_ms"];
            if (timeout is <= 0 || grace is < 0)
            {
                return (null, "timeout_ms must be positive and kill_grace_ms not negative");
            }

            return (new CommandRequest(
                argv,
                environment,
                mode == "clean",
                (string?)run["cwd"],
                stdin == "pipe",
                timeout is { } t ? TimeSpan.FromMilliseconds(t) : null,
                grace is { } g ? TimeSpan.FromMilliseconds(g) : s_defaultGrace,
                (string?)run["id"]), null);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException)
        {
            return (null, $"a field has the wrong type: {ex.Message}");
        }
    }
}
