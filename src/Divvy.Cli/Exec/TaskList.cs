using System.Globalization;
using System.Text.Json;

namespace Divvy.Cli.Exec;

/// <summary>
/// Reads go-workerpool's task list: a JSON array of <c>{"identifier", "command", "args"}</c>,
/// plus Divvy's optional <c>env</c>, <c>cwd</c>, <c>timeout</c> (seconds) and <c>shell</c>.
/// </summary>
internal static class TaskList
{
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
            throw new FormatException($"task {index}: expected an object");
        }

        string where = $"task {index}";
        var task = new ExecTask { Sequence = index, Identifier = index.ToString(CultureInfo.InvariantCulture) };
        foreach (JsonProperty property in element.EnumerateObject())
        {
            switch (property.Name)
            {
                case "identifier":
                    task.Identifier = property.Value.ValueKind == JsonValueKind.Number ? property.Value.GetRawText() : String(property, where);
                    where = $"task {index} ('{task.Identifier}')";
                    break;
                case "command":
                    task.Command = String(property, where);
                    break;
                case "args":
                    task.Args = property.Value.ValueKind == JsonValueKind.Null ? [] : Strings(property, where);
                    break;
                case "env":
                    task.Env = property.Value.ValueKind == JsonValueKind.Object
                        ? property.Value.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText())
                        : throw new FormatException($"{where}: env must be an object of strings");
                    break;
                case "cwd":
                    task.Cwd = String(property, where);
                    break;
                case "timeout":
                    task.TimeoutSeconds = property.Value.TryGetDouble(out double seconds) && seconds > 0
                        ? seconds
                        : throw new FormatException($"{where}: timeout must be a positive number of seconds");
                    break;
                case "shell":
                    task.Shell = property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False
                        ? property.Value.GetBoolean()
                        : throw new FormatException($"{where}: shell must be true or false");
                    break;
            }
        }

        if (string.IsNullOrEmpty(task.Command))
        {
            throw new FormatException($"{where}: missing \"command\"");
        }

        return task;
    }

    private static string String(JsonProperty property, string where) =>
        property.Value.ValueKind == JsonValueKind.String
            ? property.Value.GetString()!
            : throw new FormatException($"{where}: {property.Name} must be a string");

    private static string[] Strings(JsonProperty property, string where) =>
        property.Value.ValueKind == JsonValueKind.Array
            ? property.Value.EnumerateArray().Select(a => a.ValueKind == JsonValueKind.String ? a.GetString()! : a.GetRawText()).ToArray()
            : throw new FormatException($"{where}: {property.Name} must be an array of strings");
}
