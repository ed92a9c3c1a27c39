using System.Diagnostics.Metrics;

namespace Divvy.Tests.Support;

/// <summary>Sums what one meter's counters record, by instrument name, for tests that check a run's metrics in process.</summary>
internal sealed class MeterTotals : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _totals = [];
    private readonly Lock _gate = new();

    public MeterTotals(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (_gate)
            {
                _totals[instrument.Name] = _totals.GetValueOrDefault(instrument.Name) + value;
            }
        });
        _listener.Start();
    }

    public long this[string instrument]
    {
        get
        {
            lock (_gate)
            {
                return _totals.GetValueOrDefault(instrument);
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
