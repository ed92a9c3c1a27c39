using System.Globalization;

namespace Divvy.Cli.Progress;

/// <summary>
/// The words of the progress line, fitted to a width: the fullest wording that fits, then shorter
/// wordings that drop the least useful parts first, and never more characters than allowed (the
/// text is ASCII, so characters are terminal columns).
/// </summary>
internal static class ProgressText
{
    /// <summary>Describes <paramref name="progress"/> in at most <paramref name="width"/> characters.</summary>
    public static string Describe(RunProgress progress, int width)
    {
        string settled = Count(progress.Settled);
        string dispatched = Count(progress.Dispatched);
        string failed = Count(progress.Failed);
        string inFlight = Count(progress.InFlight);
        string workers = string.Create(CultureInfo.InvariantCulture, $"{progress.WorkersAlive}/{progress.WorkersTarget} workers");
        string rate = Rate(progress.Rate);
        string eta = Eta(progress) is { } left ? $", ~{left} left" : "";

        string[] wordings =
        [
            $"{settled} done / {dispatched} dispatched, {failed} failed, {inFlight} in flight, {workers}, {rate}{eta}",
            $"{settled}/{dispatched} done, {failed} failed, {inFlight} in flight, {workers}, {rate}{eta}",
            $"{settled}/{dispatched} done, {failed} failed, {inFlight} in flight, {workers}, {rate}",
            $"{settled}/{dispatched} done, {failed} failed, {inFlight} in flight, {workers}",
            $"{settled}/{dispatched} done, {failed} failed, {inFlight} in flight",
            $"{settled}/{dispatched} done, {failed} failed",
            $"{settled}/{dispatched} done",
            $"{settled}/{dispatched}",
        ];
        foreach (string wording in wordings)
        {
            if (wording.Length <= width)
            {
                return wording;
            }
        }

        return wordings[^1][..Math.Max(0, width)];
    }

    /// <summary>How long the items dispatched so far should still take at the rate so far; null when unknown or nothing is left.</summary>
    internal static string? Eta(RunProgress progress)
    {
        long left = progress.Dispatched - progress.Settled;
        if (progress.Rate <= 0 || left <= 0)
        {
            return null;
        }

        double seconds = Math.Ceiling(left / progress.Rate);
        return seconds switch
        {
            < 60 => string.Create(CultureInfo.InvariantCulture, $"{seconds:F0}s"),
            < 3600 => string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(seconds / 60):F0}m{seconds % 60:00}s"),
            < 86400 => string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(seconds / 3600):F0}h{Math.Floor(seconds % 3600 / 60):00}m"),
            < 100 * 86400 => string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(seconds / 86400):F0}d{Math.Floor(seconds % 86400 / 3600):00}h"),
            _ => "99d+",
        };
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Rate(double perSecond) => perSecond < 1000
        ? string.Create(CultureInfo.InvariantCulture, $"{perSecond:F1}/s")
        : string.Create(CultureInfo.InvariantCulture, $"{perSecond:N0}/s");
}
