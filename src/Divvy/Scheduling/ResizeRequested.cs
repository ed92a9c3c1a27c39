namespace Divvy.Scheduling;

/// <summary>Change the number of workers to <paramref name="Workers"/>, or by it when <paramref name="Relative"/>.</summary>
internal sealed record ResizeRequested(int Workers, bool Relative = false) : SchedulerEvent;
