using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Divvy.Tests.Jobs;

/// <summary>
/// Items 1..count; item 2 fails. Args: <c>listen</c> or <c>quiet</c>, count. With <c>listen</c>, an
/// ActivityListener on Divvy's source runs in the master and in each worker; the master reports
/// every span it heard at the end (<c>span name=... trace=... id=... parent=...</c>). Perform
/// returns what it sees as the current activity: <c>traceid/parentspanid/source</c>, or <c>none</c>.
/// </summary>
public sealed class TracedJob : IParallelizable<int, string>
{
    private readonly int _count;
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener? _listener;

    public TracedJob(string[] args)
    {
        _count = Scenarios.Int(args, 1, 6);
        if (args.Length > 0 && args[0] == "listen")
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "Divvy",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _stopped.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }
    }

    public IEnumerable<int> Dispatch() => Enumerable.Range(1, _count);

    public string Perform(int item)
    {
        if (item == 2)
        {
            throw new InvalidOperationException("item 2 fails");
        }

        return Activity.Current is { } current
            ? $"{current.TraceId}/{current.ParentSpanId}/{(current.Source.Name.Length == 0 ? "none" : current.Source.Name)}"
            : "none";
    }

    public void OnResult(ItemResult<int, string> result) => Report.Result(result);

    public void OnCompleted(RunSummary summary)
    {
        foreach (Activity span in _stopped)
        {
            Report.Line(string.Create(CultureInfo.InvariantCulture, $"span name={span.OperationName} trace={span.TraceId} id={span.SpanId} parent={span.ParentSpanId} status={span.Status} item={span.GetTagItem("divvy.item.id") ?? "-"} attempt={span.GetTagItem("divvy.attempt") ?? "-"} worker={span.GetTagItem("divvy.worker") ?? "-"} outcome={span.GetTagItem("divvy.status") ?? "-"}"));
        }

        _listener?.Dispose();
    }
}
