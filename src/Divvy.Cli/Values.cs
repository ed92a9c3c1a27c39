using System.Globalization;

namespace Divvy.Cli;

/// <summary>Parses the sizes and durations the command line takes: <c>64M</c>, <c>1G</c>; <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>2h</c>.</summary>
internal static class Values
{
    public static bool TryParseSize(string text, long min, long max, out long bytes)
    {
        bytes = 0;
        text = text.Trim();
        long multiplier = 1;
        char unit = text.Length > 0 ? char.ToUpperInvariant(text[^1]) : ' ';
        if (unit is 'K' or 'M' or 'G')
        {
            multiplier = unit switch { 'K' => 1024, 'M' => 1024 * 1024, _ => 1024 * 1024 * 1024 };
            text = text[..^1];
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value > max / multiplier || value * multiplier < min)
        {
            return false;
        }

        bytes = value * multiplier;
        return bytes <= max;
    }

    /// <summary>A duration with a unit (ms, s, m, h); a bare number is seconds.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        text = text.Trim().ToLowerInvariant();
        (string number, double scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1.0),
            _ when text.EndsWith('m') => (text[..^1], 60.0),
            _ when text.EndsWith('h') => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || value < 0 || value * scale > TimeSpan.FromDays(365).TotalSeconds)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(value * scale);
        return true;
    }

    public static bool TryParseCount(string text, long min, long max, out long value) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
}
