using System.Globalization;

namespace Divvy.Tests.Jobs;

/// <summary>
/// Records every attempt and every result, declares its own defaults in Configure (2 retries,
/// short backoff) and reports the run in OnCompleted. Items 1..count each sleep `ms`; multiples of
/// `failEvery` always throw an IOException (worth retrying); after `stopAfter` results the run's
/// token is cancelled (0: never). With "throw" as the last argument OnCompleted throws.
/// Args: count, ms, stopAfter, failEvery, onCompleted.
/// </summary>
public sealed class RecordJob : IParallelizable<int, int>
{
    private readonly int _count;
    private readonly int _milliseconds;
    private readonly int _stopAfter;
    private readonly int _failEvery;
    private readonly bool _throwOnCompleted;
    private int _results;

    public RecordJob(string[] args)
    {
        _count = Scenarios.Int(args, 0, 10);
        _milliseconds = Scenarios.Int(args, 1, 0);
        _stopAfter = Scenarios.Int(args, 2, 0);
        _failEvery = Scenarios.Int(args, 3, 0);
        _throwOnCompleted = args.Length > 4 && args[4] == "throw";
    }

    public void Configure(MasterOptions options)
    {
        options.MaxRetries = 2;
        options.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
        options.RetryMaxDelay = TimeSpan.FromMilliseconds(20);
        Report.Line("configured");
    }

    public IEnumerable<int> Dispatch()
    {
        for (int item = 1; item <= _count; item++)
        {
            Report.Line($"yielded item={item}");
            yield return item;
        }
    }

    public int Perform(int item)
    {
        Report.Line($"performed item={item}");
        Thread.Sleep(_milliseconds);
        return _failEvery > 0 && item % _failEvery == 0 ? throw new IOException($"item {item} never works") : item;
    }

    public void OnAttempt(ItemAttempt<int> attempt) =>
        Report.Line(string.Create(CultureInfo.InvariantCulture, $"attempt item={attempt.Item} n={attempt.Attempt} outcome={attempt.Outcome} delay={(attempt.RetryDelay is null ? "none" : "some")}"));

    public void OnResult(ItemResult<int, int> result)
    {
        Report.Line(string.Create(CultureInfo.InvariantCulture, $"final item={result.Item} status={result.Status} attempts={result.Attempts} worker={result.Worker.Number}"));
        if (++_results == _stopAfter)
        {
            Scenarios.RunCancellation.Cancel();
        }
    }

    public void OnCompleted(RunSummary summary)
    {
        Report.Line(string.Create(CultureInfo.InvariantCulture, $"completed results={_results} dispatched={summary.Dispatched} notperformed={summary.NotPerformed} retries={summary.Retries} reason={summary.StopReason}"));
        if (_throwOnCompleted)
        {
            throw new InvalidOperationException("the report could not be written");
        }
    }
}
