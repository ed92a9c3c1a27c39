using System.Text.Json;

namespace Divvy.Dashboard;

/// <summary>The body of <c>PATCH /herd</c>: <c>{"num": N}</c>.</summary>
internal static class HerdRequest
{
    /// <summary>Reads the worker count, or says what is wrong with the body.</summary>
    public static int? Parse(string body, int maxWorkers, out string? error)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            error = "the body must be JSON: {\"num\": N}";
            return null;
        }

        using (document)
        {
            error = null;
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("num", out JsonElement num))
            {
                error = "the body must be {\"num\": N}";
            }
            else if (num.ValueKind != JsonValueKind.Number || !num.TryGetInt64(out long value))
            {
                error = "num must be a whole number";
            }
            else if (value < 0)
            {
                error = "num must not be negative";
            }
            else if (value > maxWorkers)
            {
                error = $"num must be at most {maxWorkers}";
            }
            else
            {
                return (int)value;
            }

            return null;
        }
    }
}
