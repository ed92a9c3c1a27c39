namespace Divvy.Jobs;

/// <summary>
/// Which optional members a job's class supplies, read once from its interface map, so the hot
/// path can skip what the job does not use.
/// </summary>
/// <param name="DispatchesSynchronously">The job implements <c>Dispatch()</c>, not <c>DispatchAsync</c>: its items can be pulled without async machinery.</param>
/// <param name="ObservesAttempts">The job implements <c>OnAttempt</c>; when it does not, attempts are not reported at all.</param>
/// <param name="ReportsResultsAsynchronously">The job implements <c>OnResultAsync</c>: settled items go to it off the loop, and its <c>OnResult</c> is not called.</param>
/// <param name="PreparesSpawnsAsynchronously">The job implements <c>BeforeSpawnAsync</c>: a launch waits for it off the loop.</param>
internal readonly record struct JobShape(
    bool DispatchesSynchronously,
    bool ObservesAttempts,
    bool ReportsResultsAsynchronously = false,
    bool PreparesSpawnsAsynchronously = false);
