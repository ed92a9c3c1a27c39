using Divvy.Protocol;
using Divvy.Tests.Support;
using MessagePack;

namespace Divvy.Tests.Scheduling;

/// <summary>A failed attempt that carried its result (<see cref="AttemptFailedException"/>): a failure to the scheduler, its result kept for the item.</summary>
public sealed class SchedulerCarriedResultTests
{
    private static FailureMessage Failure(ItemMessage item, FailureKind kind, int carried) =>
        new(item.Id, 10, kind, new RemoteError("Divvy.AttemptFailedException", "exit code 3", ""), MessagePackSerializer.Serialize(carried));

    [Fact]
    public async Task An_item_out_of_retries_is_failed_counted_as_such_and_keeps_its_last_attempts_result()
    {
        await using var run = SchedulerRun.Start(1, o => o.MaxRetries = 1);
        (FakeWorker worker, ItemMessage first) = await run.NextWorkerWithAnItemAsync(endWhenKilled: null);

        worker.Channel.Send(Failure(first, FailureKind.Retry, 41));
        ItemMessage second = await worker.NextItemAsync();
        worker.Channel.Send(Failure(second, FailureKind.Retry, 42));

        RunSummary summary = await run.SummaryAsync();
        summary.Failed.Should().Be(1);
        summary.Retries.Should().Be(1);
        ItemResult<int, int> result = run.Job.Results.Should().ContainSingle().Subject;
        (result.Status, result.Result, result.Attempts, result.Error!.Message).Should().Be((ItemStatus.Failed, 42, 2, "exit code 3"));
        run.Job.Attempts.Select(a => a.Outcome).Should().Equal(AttemptOutcome.Retry, AttemptOutcome.Failed);
    }

    [Fact]
    public async Task A_timed_out_attempt_that_carried_its_result_settles_timed_out_with_it()
    {
        await using var run = SchedulerRun.Start(1);
        (FakeWorker worker, ItemMessage item) = await run.NextWorkerWithAnItemAsync(endWhenKilled: null);

        worker.Channel.Send(Failure(item, FailureKind.TimedOut, 7));

        (await run.SummaryAsync()).TimedOut.Should().Be(1);
        ItemResult<int, int> result = run.Job.Results.Should().ContainSingle().Subject;
        (result.Status, result.Result).Should().Be((ItemStatus.TimedOut, 7));
    }
}
