using Divvy.Jobs;

namespace Divvy.Scheduling;

/// <summary>
/// <c>Dispatch</c> yielded its last item, or threw, or was stopped. <paramref name="Unqueued"/> is
/// an item it had yielded that the stop kept out of the queue: it still has to settle, as not performed.
/// </summary>
internal sealed record DispatchEnded(Exception? Error, DispatchedItem? Unqueued = null) : SchedulerEvent;
