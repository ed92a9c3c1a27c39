using Divvy.Launching;

namespace Divvy.Scheduling;

/// <summary>A launch that did not finish at once has: with the worker's <paramref name="Handle"/>, or with <paramref name="Error"/>.</summary>
internal sealed record LaunchEnded(int Slot, IWorkerHandle? Handle, Exception? Error) : SchedulerEvent;
