using System.Diagnostics.Metrics;
using Divvy.Metrics;

namespace Divvy.Tests.Metrics;

public sealed class PrometheusExporterTests
{
    [Fact]
    public void A_counter_shows_zero_before_its_first_sample_and_only_its_labelled_series_after()
    {
        using var meter = new Meter($"Divvy.Tests.{Guid.NewGuid():N}");
        using var exporter = new PrometheusExporter(meter);
        Counter<long> spawns = meter.CreateCounter<long>("divvy.workers.spawned", "{worker}", "Worker processes launched, by reason.");

        exporter.Render().Should().Contain("divvy_workers_spawned_total 0\n", "the family is there from the first scrape");

        spawns.Add(2, new KeyValuePair<string, object?>("reason", "start"));
        string text = exporter.Render();

        text.Should().Contain("divvy_workers_spawned_total{reason=\"start\"} 2\n");
        text.Split('\n').Should().NotContain(l => l.StartsWith("divvy_workers_spawned_total "), "no stray unlabelled series next to the labelled ones");
    }

    [Fact]
    public void A_counter_recorded_without_labels_keeps_its_one_series()
    {
        using var meter = new Meter($"Divvy.Tests.{Guid.NewGuid():N}");
        using var exporter = new PrometheusExporter(meter);
        Counter<long> dispatched = meter.CreateCounter<long>("divvy.items.dispatched", "{item}", "Items taken from Dispatch.");

        dispatched.Add(3);

        exporter.Render().Should().Contain("divvy_items_dispatched_total 3\n");
    }
}
