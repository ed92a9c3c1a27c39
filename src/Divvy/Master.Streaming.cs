using System.Runtime.CompilerServices;
using Divvy.Jobs;
using Divvy.Launching;
using Divvy.Scheduling;

namespace Divvy;

public sealed partial class Master
{
    /// <summary>
    /// Runs the job and yields each item's result as it settles, in completion order (Python's
    /// <c>imap_unordered</c>): every dispatched item exactly once, as <c>OnResult</c> sees it, and
    /// after the job's <c>OnResult</c> or <c>OnResultAsync</c> has run for it. The run starts when
    /// the enumeration does. A slow reader slows the run rather than filling memory: when 1,024
    /// results wait to be read, the master hands out no new item until half of them have been
    /// (heartbeats, timeouts and crash handling go on meanwhile). When the enumeration ends, the
    /// run has ended and <see cref="Summary"/> is set; if the run failed, its exception is thrown
    /// after the last result, as <see cref="Run"/> throws it. Leaving early (<c>break</c>, an
    /// exception in the loop) stops the run as Ctrl-C does: no new item starts, items in hand
    /// finish, and disposing the enumerator waits for that. Cancelling the token (or
    /// <c>WithCancellation</c>'s) stops it the same way without leaving: the results of the items
    /// in hand and of those not performed still come, then the enumeration ends, with
    /// <see cref="StopReason.Cancelled"/>. In a worker, never returns, as <see cref="Run"/>.
    /// </summary>
    /// <typeparam name="TItem">The job's item type.</typeparam>
    /// <typeparam name="TResult">The job's result type: <see cref="NoResult"/> for an <see cref="IParallelizable{TItem}"/>.</typeparam>
    /// <param name="cancellationToken">Stops the run gracefully when cancelled.</param>
    /// <returns>The results, to enumerate once.</returns>
    /// <exception cref="InvalidOperationException">The job is not an <c>IParallelizable&lt;TItem, TResult&gt;</c> of these types.</exception>
    /// <example>
    /// <code>
    /// await foreach (ItemResult&lt;string, int&gt; result in master.RunStreamingAsync&lt;string, int&gt;(cancellationToken))
    /// {
    ///     Console.WriteLine($"{result.Item}: {result.Result}");
    /// }
    /// RunSummary summary = master.Summary!;
    /// </code>
    /// </example>
    public IAsyncEnumerable<ItemResult<TItem, TResult>> RunStreamingAsync<TItem, TResult>(CancellationToken cancellationToken = default)
    {
        if (WorkerEnvironment.IsWorkerProcess)
        {
            RunAsWorker();
        }

        if (_job.ItemType != typeof(TItem) || _job.ResultType != typeof(TResult))
        {
            throw new InvalidOperationException(
                $"job {_job.JobType.FullName} is {TypeNames.Of(typeof(IParallelizable<,>).MakeGenericType(_job.ItemType, _job.ResultType))}: " +
                $"stream its results with RunStreamingAsync<{TypeNames.Of(_job.ItemType)}, {TypeNames.Of(_job.ResultType)}>()");
        }

        return StreamAsync<TItem, TResult>(cancellationToken);
    }

    private async IAsyncEnumerable<ItemResult<TItem, TResult>> StreamAsync<TItem, TResult>([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var relay = new ResultRelay(_job, streamed: true);
        Task<RunSummary> running = RunAsMasterAsync(cancellationToken, relay);

        // A run that fails before its loop starts (an endpoint that cannot listen) adds nothing:
        // the reader must still reach the end, where that failure is thrown.
        _ = running.ContinueWith(static (_, state) => ((ResultRelay)state!).CompleteAsync(), relay, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        bool readToTheEnd = false;
        try
        {
            while (await relay.ReadAsync().ConfigureAwait(false) is { } settled)
            {
                yield return settled.As<TItem, TResult>();
                relay.Taken();
            }

            readToTheEnd = true;
        }
        finally
        {
            if (!readToTheEnd)
            {
                // The reader left early: stop as Ctrl-C does, let the rest settle (and reach
                // OnResultAsync), and return only when the run has ended.
                await relay.AbandonAsync().ConfigureAwait(false);
            }

            await running.ConfigureAwait(false);
        }
    }
}
