using Divvy.Launching;

namespace Divvy.Scheduling;

/// <summary>A worker is gone and everything it wrote has been read. Always its connection's last event.</summary>
internal sealed record WorkerEnded(WorkerConnection Worker, WorkerEnd End, Exception? ChannelError) : SchedulerEvent
{
    /// <summary>The end as hooks and exceptions describe it.</summary>
    public WorkerExit Exit => End.ToExit();
}
