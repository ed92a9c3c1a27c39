using Divvy.Monitoring;

namespace Divvy.Scheduling;

/// <summary>A <see cref="RunMonitor"/> asks for the run's state; the loop answers between two steps.</summary>
internal sealed record SnapshotRequested(TaskCompletionSource<RunSnapshot> Reply) : SchedulerEvent;
