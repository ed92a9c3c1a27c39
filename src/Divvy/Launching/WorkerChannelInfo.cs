using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Divvy.Launching;

/// <summary>What a worker needs to find its master: the contents of the marker variable.</summary>
internal sealed record WorkerChannelInfo(int MasterProcessId, int WorkerNumber, string DownHandle, string UpHandle)
{
    private const string Prefix = "v1;";

    public string Format() =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}master={MasterProcessId};worker={WorkerNumber};down={DownHandle};up={UpHandle}");

    public static bool TryParse(string text, [NotNullWhen(true)] out WorkerChannelInfo? channel, [NotNullWhen(false)] out string? error)
    {
        channel = null;
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            error = $"unknown marker format '{text}'";
            return false;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string part in text[Prefix.Length..].Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                fields[part[..eq]] = part[(eq + 1)..];
            }
        }

        if (!TryInt(fields, "master", out int master) || !TryInt(fields, "worker", out int worker)
            || !fields.TryGetValue("down", out string? down) || !fields.TryGetValue("up", out string? up))
        {
            error = $"marker '{text}' lacks master, worker, down or up";
            return false;
        }

        channel = new WorkerChannelInfo(master, worker, down, up);
        error = null;
        return true;
    }

    private static bool TryInt(Dictionary<string, string> fields, string key, out int value)
    {
        value = 0;
        return fields.TryGetValue(key, out string? text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
