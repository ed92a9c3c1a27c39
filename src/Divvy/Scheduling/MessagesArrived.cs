using Divvy.Protocol;

namespace Divvy.Scheduling;

/// <summary>
/// A worker sent messages: everything that arrived together in one read, in order, so a burst of
/// results costs the scheduler one event rather than one each. Payloads are already copied out of
/// the read buffer.
/// </summary>
internal sealed record MessagesArrived(WorkerConnection Worker, IReadOnlyList<Message> Messages) : SchedulerEvent;
