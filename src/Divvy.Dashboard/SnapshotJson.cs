using System.Globalization;
using System.Text.Json;
using Divvy.Monitoring;

namespace Divvy.Dashboard;

/// <summary>
/// A <see cref="RunSnapshot"/> as the JSON the page reads (and <c>/api/snapshot</c> returns): written
/// by hand with <see cref="Utf8JsonWriter"/>, so the master compiles no serializer for it. Times are
/// in seconds.
/// </summary>
internal static class SnapshotJson
{
    public static byte[] Write(RunMonitor run, RunSnapshot snapshot, (double Seconds, long Settled, long Failed)[] throughput)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            RunSummary summary = snapshot.Summary;
            json.WriteStartObject();
            json.WriteString("job", run.JobName);
            json.WriteNumber("elapsed", summary.Elapsed.TotalSeconds);
            json.WriteBoolean("finished", snapshot.Finished);
            json.WriteBoolean("accepting", snapshot.Accepting);
            json.WriteString("stopReason", snapshot.Finished ? summary.StopReason.ToString() : null);
            json.WriteString("haltReason", summary.HaltReason);

            json.WriteStartObject("counts");
            json.WriteNumber("dispatched", summary.Dispatched);
            json.WriteNumber("succeeded", summary.Succeeded);
            json.WriteNumber("failed", summary.Failed);
            json.WriteNumber("crashed", summary.Crashed);
            json.WriteNumber("timedOut", summary.TimedOut);
            json.WriteNumber("quarantined", summary.Quarantined);
            json.WriteNumber("notPerformed", summary.NotPerformed);
            json.WriteNumber("retries", summary.Retries);
            json.WriteNumber("inFlight", snapshot.InFlight);
            json.WriteNumber("queued", snapshot.Queued);
            json.WriteEndObject();

            json.WriteStartObject("pool");
            json.WriteNumber("target", snapshot.TargetWorkers);
            json.WriteNumber("max", run.MaxWorkers);
            json.WriteNumber("spawned", summary.WorkersSpawned);
            json.WriteNumber("crashes", summary.WorkerCrashes);
            json.WriteNumber("recycled", summary.WorkersRecycled);
            json.WriteStartObject("spawnsByReason");
            foreach ((string reason, int count) in summary.SpawnsByReason)
            {
                json.WriteNumber(reason, count);
            }

            json.WriteEndObject();
            json.WriteEndObject();

            WriteWorkers(json, snapshot.Workers);
            WriteDurations(json, snapshot, summary);
            WriteFailures(json, snapshot.RecentFailures);

            json.WriteStartArray("settings");
            foreach ((string name, string value) in run.Settings)
            {
                json.WriteStartArray();
                json.WriteStringValue(name);
                json.WriteStringValue(value);
                json.WriteEndArray();
            }

            json.WriteEndArray();

            json.WriteStartArray("throughput");
            foreach ((double seconds, long settled, long failed) in throughput)
            {
                json.WriteStartArray();
                json.WriteNumberValue(Math.Round(seconds, 3));
                json.WriteNumberValue(settled);
                json.WriteNumberValue(failed);
                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteWorkers(Utf8JsonWriter json, IReadOnlyList<WorkerSnapshot> workers)
    {
        json.WriteStartArray("workers");
        foreach (WorkerSnapshot worker in workers)
        {
            json.WriteStartObject();
            json.WriteNumber("number", worker.Number);
            WriteOptional(json, "pid", worker.ProcessId);
            json.WriteString("host", worker.Host);
            json.WriteString("state", worker.State);
            json.WriteNumber("incarnation", worker.Incarnation);
            json.WriteNumber("launches", worker.Launches);
            json.WriteString("launchReason", worker.LastLaunchReason);
            json.WriteNumber("completed", worker.Completed);
            json.WriteNumber("holding", worker.Holding);
            WriteOptional(json, "rss", worker.Host is null && worker.ProcessId is { } pid ? ResidentMemory.Of(pid) : null);
            json.WriteStartArray("running");
            foreach (RunningItem item in worker.Running)
            {
                json.WriteStartObject();
                json.WriteNumber("id", item.Id);
                json.WriteString("item", item.Item);
                json.WriteNumber("seconds", item.Running.TotalSeconds);
                json.WriteNumber("attempt", item.Attempt);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteDurations(Utf8JsonWriter json, RunSnapshot snapshot, RunSummary summary)
    {
        json.WriteStartObject("durations");
        json.WriteNumber("p50", summary.DurationP50.TotalSeconds);
        json.WriteNumber("p95", summary.DurationP95.TotalSeconds);
        json.WriteNumber("max", summary.DurationMax.TotalSeconds);
        json.WriteStartArray("buckets");
        foreach (DurationBucket bucket in snapshot.Durations)
        {
            json.WriteStartArray();
            if (bucket.UpperBound == TimeSpan.MaxValue)
            {
                json.WriteNullValue();
            }
            else
            {
                json.WriteNumberValue(bucket.UpperBound.TotalSeconds);
            }

            json.WriteNumberValue(bucket.Count);
            json.WriteEndArray();
        }

        json.WriteEndArray();
        json.WriteStartArray("slowest");
        foreach (SlowItem slow in summary.Slowest)
        {
            json.WriteStartObject();
            json.WriteNumber("id", slow.Id);
            json.WriteString("item", slow.Item);
            json.WriteNumber("seconds", slow.Duration.TotalSeconds);
            json.WriteString("worker", slow.Worker.ToString());
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteFailures(Utf8JsonWriter json, IReadOnlyList<FailedAttempt> failures)
    {
        json.WriteStartArray("failures");
        foreach (FailedAttempt failure in failures)
        {
            json.WriteStartObject();
            json.WriteNumber("id", failure.Id);
            json.WriteString("item", failure.Item);
            json.WriteNumber("attempt", failure.Attempt);
            json.WriteString("outcome", failure.Outcome);
            json.WriteBoolean("final", failure.Final);
            json.WriteNumber("at", failure.At.TotalSeconds);
            json.WriteString("worker", failure.Worker.ToString());
            json.WriteString("type", failure.Error?.Type);
            json.WriteString("message", failure.Error?.Message);
            json.WriteString("stack", failure.Error?.StackTrace);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
