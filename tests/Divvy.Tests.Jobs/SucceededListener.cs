using System.Diagnostics.Metrics;

namespace Divvy.Tests.Jobs;

/// <summary>Counts what Divvy's meter reports on its succeeded counter; <see cref="ToString"/> says what it heard.</summary>
public sealed class SucceededListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _succeeded;
    private int _instruments;

    public SucceededListener()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Divvy")
            {
                _instruments++;
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "divvy.items.succeeded")
            {
                Interlocked.Add(ref _succeeded, value);
            }
        });
        _listener.Start();
    }

    public override string ToString() => $"instruments={_instruments} succeeded={Interlocked.Read(ref _succeeded)}";

    public void Dispose() => _listener.Dispose();
}
