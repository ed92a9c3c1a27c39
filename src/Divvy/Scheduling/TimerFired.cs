namespace Divvy.Scheduling;

/// <summary>A delay the loop asked for has passed (a throttled spawn, the shutdown deadline).</summary>
internal sealed record TimerFired(TimerPurpose Purpose) : SchedulerEvent;
