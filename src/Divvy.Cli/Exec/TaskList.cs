using System.Globalization;
using System.Text.Json;

namespace Divvy.Cli.Exec;

/// <summary>
/// Reads go-workerpool's task list: a JSON array of <c>{"identifier", "command", "args"}</c>,
/// plus Divvy's optional <c>env</c>, <c>cwd</c>, <c>timeout</c> (seconds) and <c>shell</c>.
/// A field of the wrong JSON kind is refused with one line naming the task and the field;
/// <c>null</c> is the same as leaving an optional field out, and unknown fields are ignored.
/// </summary>
internal static class TaskList
{
    /// <summary>The longest task timeout, in seconds: what every timer in .NET can wait (about 24 days).</summary>
    public static readonly double MaxTimeoutSeconds = ExecSettings.MaxWait.TotalSeconds;

    /// <exception cref="FormatException">The text is not such an array; the message says where.</exception>
    public static List<ExecTask> Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new FormatException($"the task list is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("the task list must be a JSON array of {\"identifier\", \"command\", \"args\"} objects");
            }

            var tasks = new List<ExecTask>();
            int index = 0;
            foreach (JsonElement element in document.RootElement.EnumerateArray())
            {
                index++;
                tasks.Add(ParseTask(element, index));
            }

            return tasks;
        }
    }

    private static ExecTask ParseTask(JsonElement element, int index)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"task {index}: expected an object, got {Describe(element)}");
        }

        // The identifier first, wherever it is in the object, so every later message can name it.
        var task = new ExecTask { Sequence = index, Identifier = index.ToString(CultureInfo.InvariantCulture) };
        string where = $"task {index}";
        if (element.TryGetProperty("identifier", out JsonElement identifier) && identifier.ValueKind != JsonValueKind.Null)
        {
            task.Identifier = identifier.ValueKind switch
            {
                JsonValueKind.String => identifier.GetString()!,
                JsonValueKind.Number => identifier.GetRawText(),
                _ => throw Wrong(where, "identifier", "a string or a number", identifier),
            };
            where = $"task {index} ('{task.Identifier}')";
        }

        foreach (JsonProperty property in element.EnumerateObject())
        {
            JsonElement value = property.Value;
            if (value.ValueKind == JsonValueKind.Null && property.Name != "command")
            {
                continue;
            }

            switch (property.Name)
            {
                case "command":
                    task.Command = String(value, where, "command");
                    break;
                case "args":
                    task.Args = value.ValueKind == JsonValueKind.Array
                        ? value.EnumerateArray().Select((arg, i) => String(arg, where, $"args[{i}]")).ToArray()
                        : throw Wrong(where, "args", "an array of strings", value);
                    break;
                case "env":
                    task.Env = value.ValueKind == JsonValueKind.Object
                        ? value.EnumerateObject().ToDictionary(p => p.Name, p => String(p.Value, where, $"env.{p.Name}"))
                        : throw Wrong(where, "env", "an object of strings", value);
                    break;
                case "cwd":
                    task.Cwd = String(value, where, "cwd");
                    break;
                case "timeout":
                    task.TimeoutSeconds = value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double seconds) && seconds > 0 && seconds <= MaxTimeoutSeconds
                        ? seconds
                        : throw Wrong(where, "timeout", "a positive number of seconds (at most 24 days)", value);
                    break;
                case "shell":
                    task.Shell = value.ValueKind is JsonValueKind.True or JsonValueKind.False
                        ? value.GetBoolean()
                        : throw Wrong(where, "shell", "true or false", value);
                    break;
            }
        }

        if (string.IsNullOrEmpty(task.Command))
        {
            throw new FormatException($"{where}: missing \"command\"");
        }

        return task;
    }

    private static string String(JsonElement value, string where, string field) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Wrong(where, field, "a string", value);

    private static FormatException Wrong(string where, string field, string expected, JsonElement value) =>
        new($"{where}: {field} must be {expected}, got {Describe(value)}");

    /// <summary>What was there instead: a short scalar as written, otherwise its kind.</summary>
    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String when value.GetString()!.Length > 40 => "a long string",
        _ => value.GetRawText(),
    };
}
