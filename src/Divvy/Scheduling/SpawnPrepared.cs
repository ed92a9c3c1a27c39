namespace Divvy.Scheduling;

/// <summary>The job's <c>BeforeSpawnAsync</c> for <paramref name="Slot"/> has returned (or threw <paramref name="Error"/>): the launch may go ahead.</summary>
internal sealed record SpawnPrepared(int Slot, Exception? Error) : SchedulerEvent;
