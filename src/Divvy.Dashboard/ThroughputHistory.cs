using Divvy.Monitoring;

namespace Divvy.Dashboard;

/// <summary>
/// Settled and failed counts once a second since the dashboard started (the last ten minutes), so
/// a page opened late still draws the run's throughput. Reads <see cref="RunMonitor.Progress"/>
/// only: it never wakes the scheduler.
/// </summary>
internal sealed class ThroughputHistory : IDisposable
{
    private const int Kept = 600;

    private readonly RunMonitor _run;
    private readonly Lock _gate = new();
    private readonly Queue<(double Seconds, long Settled, long Failed)> _points = new();
    private readonly ITimer _timer;

    public ThroughputHistory(RunMonitor run, TimeProvider time)
    {
        _run = run;
        _timer = time.CreateTimer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    /// <summary>The points, oldest first: seconds since the run started, items settled, items failed.</summary>
    public (double Seconds, long Settled, long Failed)[] Points()
    {
        lock (_gate)
        {
            return [.. _points];
        }
    }

    public void Sample()
    {
        RunProgress progress = _run.Progress;
        lock (_gate)
        {
            if (_points.Count == Kept)
            {
                _points.Dequeue();
            }

            _points.Enqueue((progress.Elapsed.TotalSeconds, progress.Settled, progress.Failed));
        }
    }

    public void Dispose() => _timer.Dispose();
}
