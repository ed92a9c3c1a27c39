using Divvy.Protocol;

namespace Divvy.Scheduling;

/// <summary>A worker sent a message (its payloads already copied out of the read buffer).</summary>
internal sealed record MessageArrived(WorkerConnection Worker, Message Message) : SchedulerEvent;
