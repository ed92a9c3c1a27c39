namespace Divvy.Jobs;

/// <summary>
/// Which optional members a job's class supplies, read once from its interface map, so the hot
/// path can skip what the job does not use.
/// </summary>
/// <param name="DispatchesSynchronously">The job implements <c>Dispatch()</c>, not <c>DispatchAsync</c>: its items can be pulled without async machinery.</param>
/// <param name="ObservesAttempts">The job implements <c>OnAttempt</c>; when it does not, attempts are not reported at all.</param>
internal readonly record struct JobShape(bool DispatchesSynchronously, bool ObservesAttempts);
