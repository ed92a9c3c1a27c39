using System.Diagnostics.Metrics;

namespace Divvy.Metrics;

/// <summary>
/// The run's <see cref="System.Diagnostics.Metrics"/> instruments, on a meter named
/// <see cref="MeterName"/>, so dotnet-counters, OpenTelemetry or the built-in Prometheus endpoint
/// can read them. Gauges read values the scheduler publishes after each step, never its live state.
/// </summary>
internal sealed class RunMetrics : IDisposable
{
    public const string MeterName = "Divvy";

    private int _inFlight;
    private int _workersAlive;
    private int _queueDepth;
    private int _workersTarget;

    public RunMetrics()
    {
        Meter = new Meter(MeterName, typeof(RunMetrics).Assembly.GetName().Version?.ToString());
        Dispatched = Meter.CreateCounter<long>("divvy.items.dispatched", "{item}", "Items taken from Dispatch.");
        Succeeded = Meter.CreateCounter<long>("divvy.items.succeeded", "{item}", "Items whose Perform returned.");
        Retried = Meter.CreateCounter<long>("divvy.items.retried", "{attempt}", "Attempts that will be tried again.");
        Failed = Meter.CreateCounter<long>("divvy.items.failed", "{item}", "Items settled without success, by status.");
        Spawns = Meter.CreateCounter<long>("divvy.workers.spawned", "{worker}", "Worker processes launched, by reason.");
        LateResultsRejected = Meter.CreateCounter<long>("divvy.late_results.rejected", "{message}", "Results and failures refused because their worker had been written off.");
        Duration = Meter.CreateHistogram<double>("divvy.item.duration", "s", "How long Perform ran, per attempt.");
        Meter.CreateObservableGauge("divvy.items.in_flight", () => Volatile.Read(ref _inFlight), "{item}", "Items held by workers.");
        Meter.CreateObservableGauge("divvy.workers.alive", () => Volatile.Read(ref _workersAlive), "{worker}", "Worker processes alive.");
        Meter.CreateObservableGauge("divvy.workers.target", () => Volatile.Read(ref _workersTarget), "{worker}", "Workers the pool aims for.");
        Meter.CreateObservableGauge("divvy.queue.depth", () => Volatile.Read(ref _queueDepth), "{item}", "Items accepted and waiting for a worker.");
    }

    public Meter Meter { get; }

    public Counter<long> Dispatched { get; }

    public Counter<long> Succeeded { get; }

    public Counter<long> Retried { get; }

    public Counter<long> Failed { get; }

    public Counter<long> Spawns { get; }

    public Counter<long> LateResultsRejected { get; }

    public Histogram<double> Duration { get; }

    public void Publish(int inFlight, int workersAlive, int queueDepth, int workersTarget)
    {
        Volatile.Write(ref _inFlight, inFlight);
        Volatile.Write(ref _workersAlive, workersAlive);
        Volatile.Write(ref _queueDepth, queueDepth);
        Volatile.Write(ref _workersTarget, workersTarget);
    }

    public void Dispose() => Meter.Dispose();
}
