namespace Divvy.Scheduling;

/// <summary>
/// Something the scheduler loop must react to. Everything that happens concurrently (pipe reads,
/// process exits, signals, the dispatch pump) becomes one of these, so all run state is touched
/// by the loop alone.
/// </summary>
internal abstract record SchedulerEvent;
