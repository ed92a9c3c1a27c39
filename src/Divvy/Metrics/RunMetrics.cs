using System.Reflection;

namespace Divvy.Metrics;

/// <summary>
/// The run's metrics, on a <see cref="System.Diagnostics.Metrics.Meter"/> named <see cref="MeterName"/>,
/// so dotnet-counters, OpenTelemetry or the built-in Prometheus endpoint can read them. Gauges read
/// values the scheduler publishes after each step, never its live state.
/// </summary>
/// <remarks>
/// The meter (<see cref="RunInstruments"/>) exists once something can listen to it: at once when
/// System.Diagnostics.DiagnosticSource is already loaded (an in-process listener such as
/// OpenTelemetry, or the Prometheus endpoint, which asks for <see cref="Meter"/>), otherwise when that
/// assembly loads later (a MeterListener created during the run, dotnet-counters attaching). Until
/// then measurements go nowhere, as they would on a meter nobody listens to, and the master does not
/// map that assembly (0.4 MiB of its memory).
/// </remarks>
internal sealed class RunMetrics : IDisposable
{
    public const string MeterName = "Divvy";

    private const string DiagnosticSourceName = "System.Diagnostics.DiagnosticSource";

    private readonly Lock _gate = new();
    private RunInstruments? _instruments;
    private bool _watchingLoads;
    private bool _disposed;
    private int _inFlight;
    private int _workersAlive;
    private int _queueDepth;
    private int _workersTarget;

    public RunMetrics()
    {
        AppDomain.CurrentDomain.AssemblyLoad += OnAssemblyLoad;
        _watchingLoads = true;
        foreach (Assembly assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (IsDiagnosticSource(assembly))
            {
                Instruments();
                break;
            }
        }
    }

    /// <summary>The run's meter, created now if it was not yet.</summary>
    public System.Diagnostics.Metrics.Meter Meter => Instruments()?.Meter ?? throw new ObjectDisposedException(nameof(RunMetrics));

    public int InFlight => Volatile.Read(ref _inFlight);

    public int WorkersAlive => Volatile.Read(ref _workersAlive);

    public int QueueDepth => Volatile.Read(ref _queueDepth);

    public int WorkersTarget => Volatile.Read(ref _workersTarget);

    /// <summary>An item taken from Dispatch.</summary>
    public void Dispatched() => Volatile.Read(ref _instruments)?.Dispatched();

    /// <summary>An item whose Perform returned.</summary>
    public void Succeeded() => Volatile.Read(ref _instruments)?.Succeeded();

    /// <summary>An attempt that will be tried again.</summary>
    public void Retried() => Volatile.Read(ref _instruments)?.Retried();

    /// <summary>An item settled without success, with its status's label.</summary>
    public void Failed(string status) => Volatile.Read(ref _instruments)?.Failed(status);

    /// <summary>A worker launched, with the label of the reason its slot emptied.</summary>
    public void Spawned(string reason) => Volatile.Read(ref _instruments)?.Spawned(reason);

    /// <summary>Results and failures refused because their worker had been written off.</summary>
    public void LateResultsRejected(int results) => Volatile.Read(ref _instruments)?.LateResultsRejected(results);

    /// <summary>How long one attempt's Perform ran.</summary>
    public void Duration(TimeSpan duration) => Volatile.Read(ref _instruments)?.Duration(duration.TotalSeconds);

    public void Publish(int inFlight, int workersAlive, int queueDepth, int workersTarget)
    {
        Volatile.Write(ref _inFlight, inFlight);
        Volatile.Write(ref _workersAlive, workersAlive);
        Volatile.Write(ref _queueDepth, queueDepth);
        Volatile.Write(ref _workersTarget, workersTarget);
    }

    public void Dispose()
    {
        RunInstruments? instruments;
        lock (_gate)
        {
            _disposed = true;
            StopWatchingLoads();
            instruments = _instruments;
        }

        instruments?.Dispose();
    }

    private static bool IsDiagnosticSource(Assembly assembly) =>
        assembly.FullName is { } name && name.StartsWith(DiagnosticSourceName + ",", StringComparison.Ordinal);

    private void OnAssemblyLoad(object? sender, AssemblyLoadEventArgs args)
    {
        if (IsDiagnosticSource(args.LoadedAssembly))
        {
            Instruments();
        }
    }

    /// <summary>The instruments, created on first call; <c>null</c> once disposed.</summary>
    private RunInstruments? Instruments()
    {
        lock (_gate)
        {
            if (_instruments is null && !_disposed)
            {
                StopWatchingLoads();
                Volatile.Write(ref _instruments, new RunInstruments(this));
            }

            return _disposed ? null : _instruments;
        }
    }

    private void StopWatchingLoads()
    {
        if (_watchingLoads)
        {
            AppDomain.CurrentDomain.AssemblyLoad -= OnAssemblyLoad;
            _watchingLoads = false;
        }
    }
}
