namespace Divvy.Scheduling;

/// <summary>A worker process is gone and everything it wrote has been read. Always its connection's last event.</summary>
internal sealed record WorkerEnded(WorkerConnection Worker, WorkerExit Exit, Exception? ChannelError) : SchedulerEvent;
