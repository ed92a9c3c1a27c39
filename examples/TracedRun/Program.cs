using Divvy;
using OpenTelemetry;
using OpenTelemetry.Trace;
using TracedRun;

// Master and workers alike run this: each process exports its own spans (the master the run and
// each attempt, a worker each item's Perform), and they make one trace.
TracerProvider tracing = Sdk.CreateTracerProviderBuilder()
    .AddSource("Divvy")
    .AddConsoleExporter() // or AddOtlpExporter() (OpenTelemetry.Exporter.OpenTelemetryProtocol) for Jaeger, Tempo...
    .Build();

// A worker leaves through Environment.Exit, never past Run(): its spans are flushed then.
AppDomain.CurrentDomain.ProcessExit += (_, _) => tracing.Dispose();

RunSummary summary = new Master(new Squares(3), 2).Run();
Console.Error.WriteLine($"TracedRun {summary}");
