using System.Diagnostics;
using System.Globalization;

namespace Divvy.Cli.Exec;

/// <summary>Load-mode bookkeeping: runs, failures, rate and duration percentiles.</summary>
internal sealed class RepeatStats
{
    private readonly List<double> _durations = [];
    private readonly long _started = Stopwatch.GetTimestamp();

    public int Failures { get; private set; }

    public void Add(ExecOutcome outcome)
    {
        _durations.Add(outcome.DurationMs);
        if (!outcome.Succeeded)
        {
            Failures++;
        }
    }

    public string Describe()
    {
        double seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        if (_durations.Count == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"repeat: 0 runs in {seconds:F2} s");
        }

        double[] sorted = [.. _durations.Order()];
        return string.Create(
            CultureInfo.InvariantCulture,
            $"repeat: {sorted.Length} runs, {Failures} failures, {sorted.Length / Math.Max(seconds, 1e-9):F1} runs/s over {seconds:F2} s; duration p50 {Percentile(sorted, 50):F1} ms, p90 {Percentile(sorted, 90):F1} ms, p99 {Percentile(sorted, 99):F1} ms, max {sorted[^1]:F1} ms");
    }

    /// <summary>Nearest-rank percentile.</summary>
    internal static double Percentile(double[] sorted, double percent)
    {
        int rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}
