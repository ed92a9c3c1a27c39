using Divvy.Monitoring;

namespace Divvy.Dashboard;

/// <summary>
/// The run's state as JSON, shared by every page and request: taken from the scheduler at most
/// about once a second however many pages are open, and only while someone asks.
/// </summary>
internal sealed class SnapshotFeed : IDisposable
{
    private static readonly TimeSpan s_fresh = TimeSpan.FromMilliseconds(900);

    private readonly RunMonitor _run;
    private readonly ThroughputHistory _history;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _taking = new(1, 1);
    private (byte[] Json, bool Finished, long TakenAt)? _latest;

    public SnapshotFeed(RunMonitor run, ThroughputHistory history, TimeProvider time)
    {
        _run = run;
        _history = history;
        _time = time;
    }

    /// <summary>
    /// The latest state as UTF-8 JSON, taken now unless a fresh one exists (or, when
    /// <paramref name="current"/>, unless the final one exists); and whether the run is over.
    /// </summary>
    public async Task<(byte[] Json, bool Finished)> LatestAsync(bool current, CancellationToken cancellationToken)
    {
        await _taking.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_latest is { } latest && (latest.Finished || (!current && _time.GetElapsedTime(latest.TakenAt) < s_fresh)))
            {
                return (latest.Json, latest.Finished);
            }

            RunSnapshot snapshot = await _run.SnapshotAsync(cancellationToken).ConfigureAwait(false);
            if (snapshot.Finished)
            {
                // The chart ends where the run did, not up to a second earlier.
                _history.Sample();
            }

            byte[] json = SnapshotJson.Write(_run, snapshot, _history.Points());
            _latest = (json, snapshot.Finished, _time.GetTimestamp());
            return (json, snapshot.Finished);
        }
        finally
        {
            _taking.Release();
        }
    }

    public void Dispose() => _taking.Dispose();
}
