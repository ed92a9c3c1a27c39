namespace Divvy.Scheduling;

/// <summary><c>Dispatch</c> yielded its last item, or threw.</summary>
internal sealed record DispatchEnded(Exception? Error) : SchedulerEvent;
