using System.Globalization;

namespace Divvy.Options;

/// <summary>Writes sizes and durations the way the command line takes them: <c>64M</c>, <c>1G</c>; <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>2h</c>.</summary>
internal static class OptionText
{
    /// <summary><c>64M</c> for 64 MiB; a plain number of bytes when no unit divides it.</summary>
    public static string Size(long bytes)
    {
        foreach ((long factor, string unit) in (ReadOnlySpan<(long, string)>)[(1L << 30, "G"), (1L << 20, "M"), (1L << 10, "K")])
        {
            if (bytes != 0 && bytes % factor == 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{bytes / factor}{unit}");
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The largest whole unit (<c>2h</c>, <c>5m</c>, <c>30s</c>), else seconds with decimals (<c>1.5s</c>), or milliseconds below a second (<c>500ms</c>).</summary>
    public static string Duration(TimeSpan value)
    {
        long ticks = value.Ticks;
        if (ticks == 0)
        {
            return "0s";
        }

        foreach ((long factor, string unit) in (ReadOnlySpan<(long, string)>)[(TimeSpan.TicksPerHour, "h"), (TimeSpan.TicksPerMinute, "m"), (TimeSpan.TicksPerSecond, "s")])
        {
            if (ticks % factor == 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{ticks / factor}{unit}");
            }
        }

        return Math.Abs(ticks) >= TimeSpan.TicksPerSecond
            ? string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0.#######}s")
            : string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0.####}ms");
    }
}
