namespace Divvy.Scheduling;

/// <summary>The job's <c>OnResultAsync</c> threw, off the loop: the loop stops the run as for <c>OnResult</c>.</summary>
internal sealed record ResultHookFailed(Exception Error) : SchedulerEvent;
