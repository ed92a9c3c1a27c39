using System.Diagnostics.Metrics;

namespace Divvy.Metrics;

/// <summary>
/// The run's <see cref="System.Diagnostics.Metrics"/> instruments, on a meter named
/// <see cref="RunMetrics.MeterName"/>. Only <see cref="RunMetrics"/> touches this type, and only once
/// something can listen: every member that names a type of System.Diagnostics.DiagnosticSource is
/// here, so a master with no listener never loads that assembly.
/// </summary>
internal sealed class RunInstruments : IDisposable
{
    private readonly Counter<long> _dispatched;
    private readonly Counter<long> _succeeded;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _spawns;
    private readonly Counter<long> _lateResultsRejected;
    private readonly Histogram<double> _duration;

    public RunInstruments(RunMetrics gauges)
    {
        Meter = new Meter(RunMetrics.MeterName, typeof(RunMetrics).Assembly.GetName().Version?.ToString());
        _dispatched = Meter.CreateCounter<long>("divvy.items.dispatched", "{item}", "Items taken from Dispatch.");
        _succeeded = Meter.CreateCounter<long>("divvy.items.succeeded", "{item}", "Items whose Perform returned.");
        _retried = Meter.CreateCounter<long>("divvy.items.retried", "{attempt}", "Attempts that will be tried again.");
        _failed = Meter.CreateCounter<long>("divvy.items.failed", "{item}", "Items settled without success, by status.");
        _spawns = Meter.CreateCounter<long>("divvy.workers.spawned", "{worker}", "Worker processes launched, by reason.");
        _lateResultsRejected = Meter.CreateCounter<long>("divvy.late_results.rejected", "{message}", "Results and failures refused because their worker had been written off.");
        _duration = Meter.CreateHistogram<double>("divvy.item.duration", "s", "How long Perform ran, per attempt.");
        Meter.CreateObservableGauge("divvy.items.in_flight", () => gauges.InFlight, "{item}", "Items held by workers.");
        Meter.CreateObservableGauge("divvy.workers.alive", () => gauges.WorkersAlive, "{worker}", "Worker processes alive.");
        Meter.CreateObservableGauge("divvy.workers.target", () => gauges.WorkersTarget, "{worker}", "Workers the pool aims for.");
        Meter.CreateObservableGauge("divvy.queue.depth", () => gauges.QueueDepth, "{item}", "Items accepted and waiting for a worker.");
    }

    public Meter Meter { get; }

    public void Dispatched() => _dispatched.Add(1);

    public void Succeeded() => _succeeded.Add(1);

    public void Retried() => _retried.Add(1);

    public void Failed(string status) => _failed.Add(1, new KeyValuePair<string, object?>("status", status));

    public void Spawned(string reason) => _spawns.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void LateResultsRejected(int results) => _lateResultsRejected.Add(results);

    public void Duration(double seconds) => _duration.Record(seconds);

    public void Dispose() => Meter.Dispose();
}
