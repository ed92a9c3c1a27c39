namespace Divvy.Scheduling;

/// <summary>The dispatch queue was empty and has an item again: a step may hand it to a worker.</summary>
internal sealed record ItemsQueued : SchedulerEvent
{
    public static readonly ItemsQueued Instance = new();
}
