namespace Divvy.Scheduling;

/// <summary>A signal or a cancelled token asks the run to stop; <paramref name="Force"/> kills workers at once.</summary>
internal sealed record StopRequested(StopReason Reason, bool Force) : SchedulerEvent;
