using System.Diagnostics.Metrics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Divvy.Metrics;

/// <summary>
/// Listens to one run's meter and renders it in the Prometheus text format (version 0.0.4):
/// counters as <c>_total</c>, the duration histogram with fixed buckets, gauges read at scrape time.
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] s_buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, Series> _series = new(StringComparer.Ordinal);
    private readonly Dictionary<Instrument, string> _families = [];

    /// <summary>
    /// An exporter of the run's meter, which this creates if it did not exist yet. A method of its
    /// own, so that compiling the master's run does not load System.Diagnostics.DiagnosticSource
    /// (the type of <see cref="RunMetrics.Meter"/>) when there is no exporter.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static PrometheusExporter For(RunMetrics metrics) => new(metrics.Meter);

    public PrometheusExporter(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
                lock (_gate)
                {
                    // Every instrument shows up, with zero, from the first scrape on; a counter that
                    // is only ever recorded with labels loses this placeholder at its first sample.
                    Get(instrument, default).IsPlaceholder = true;
                }
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public string Render()
    {
        lock (_gate)
        {
            _listener.RecordObservableInstruments();
            var text = new StringBuilder();
            string? family = null;
            foreach ((string _, Series series) in _series)
            {
                if (series.Family != family)
                {
                    family = series.Family;
                    text.Append(CultureInfo.InvariantCulture, $"# HELP {family} {series.Help}\n# TYPE {family} {series.Type}\n");
                }

                series.Write(text);
            }

            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_gate)
        {
            Series series = Get(instrument, tags);
            series.IsPlaceholder = false;
            switch (instrument)
            {
                case ObservableGauge<int> or ObservableGauge<long> or ObservableGauge<double>:
                    series.Value = value;
                    break;
                case Histogram<double>:
                    series.Observe(value);
                    break;
                default:
                    series.Value += value;
                    break;
            }
        }
    }

    private Series Get(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string labels = Labels(tags);
        if (!_families.TryGetValue(instrument, out string? family))
        {
            family = FamilyName(instrument);
            _families[instrument] = family;
        }

        string key = family + labels;
        if (!_series.TryGetValue(key, out Series? series))
        {
            string type = instrument switch
            {
                Histogram<double> => "histogram",
                ObservableGauge<int> or ObservableGauge<long> or ObservableGauge<double> => "gauge",
                _ => "counter",
            };
            series = new Series(family, labels, type, instrument.Description ?? "");
            _series[key] = series;
            if (labels.Length > 0 && _series.TryGetValue(family, out Series? unlabelled) && unlabelled.IsPlaceholder)
            {
                // divvy_workers_spawned_total{reason="start"} replaces the bare divvy_workers_spawned_total 0.
                _series.Remove(family);
            }
        }

        return series;
    }

    /// <summary><c>divvy.items.succeeded</c> becomes <c>divvy_items_succeeded_total</c>; <c>divvy.item.duration</c> (s) becomes <c>divvy_item_duration_seconds</c>.</summary>
    internal static string FamilyName(Instrument instrument)
    {
        string name = instrument.Name.Replace('.', '_');
        return instrument switch
        {
            Counter<long> or Counter<int> or Counter<double> => name + "_total",
            Histogram<double> when instrument.Unit == "s" => name + "_seconds",
            _ => name,
        };
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return "";
        }

        var parts = new List<string>(tags.Length);
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            string value = Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? "";
            parts.Add($"{tag.Key.Replace('.', '_')}=\"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"");
        }

        parts.Sort(StringComparer.Ordinal);
        return "{" + string.Join(',', parts) + "}";
    }

    private sealed class Series(string family, string labels, string type, string help)
    {
        private readonly long[] _bucketCounts = new long[s_buckets.Length];
        private double _sum;
        private long _count;

        public string Family { get; } = family;

        public string Type { get; } = type;

        public string Help { get; } = help;

        public double Value { get; set; }

        /// <summary>A zero shown before the instrument's first sample, so the family is never missing.</summary>
        public bool IsPlaceholder { get; set; }

        public void Observe(double value)
        {
            _sum += value;
            _count++;
            for (int i = 0; i < s_buckets.Length; i++)
            {
                if (value <= s_buckets[i])
                {
                    _bucketCounts[i]++;
                }
            }
        }

        public void Write(StringBuilder text)
        {
            if (Type != "histogram")
            {
                text.Append(CultureInfo.InvariantCulture, $"{Family}{labels} {Value}\n");
                return;
            }

            string inner = labels.Length > 0 ? labels[1..^1] + "," : "";
            for (int i = 0; i < s_buckets.Length; i++)
            {
                text.Append(CultureInfo.InvariantCulture, $"{Family}_bucket{{{inner}le=\"{s_buckets[i]}\"}} {_bucketCounts[i]}\n");
            }

            text.Append(CultureInfo.InvariantCulture, $"{Family}_bucket{{{inner}le=\"+Inf\"}} {_count}\n");
            text.Append(CultureInfo.InvariantCulture, $"{Family}_sum{labels} {_sum}\n");
            text.Append(CultureInfo.InvariantCulture, $"{Family}_count{labels} {_count}\n");
        }
    }
}
