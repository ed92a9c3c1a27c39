namespace Divvy.Scheduling;

/// <summary>
/// The reader of settled items has caught up (<see cref="ResultRelay"/>): a loop that stopped handing
/// out items for it may go on. Nothing to handle: waking the loop is the point.
/// </summary>
internal sealed record RoomForResults : SchedulerEvent
{
    public static readonly RoomForResults Instance = new();
}
