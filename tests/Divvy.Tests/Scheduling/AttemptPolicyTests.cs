using Divvy.Jobs;
using Divvy.Scheduling;

namespace Divvy.Tests.Scheduling;

public sealed class AttemptPolicyTests
{
    private static AttemptPolicy Policy(int maxRetries = 0, int poison = 2, int losses = 3) =>
        new(new MasterOptions { MaxRetries = maxRetries, PoisonThreshold = poison, MaxConnectionLosses = losses }, new RetryBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), new Random(1)));

    private static DispatchedItem Item() => new(1, 1, [0x01]);

    [Theory]
    [InlineData(AttemptOutcome.Succeeded, 5, ItemStatus.Succeeded)]
    [InlineData(AttemptOutcome.Failed, 5, ItemStatus.Failed)]
    [InlineData(AttemptOutcome.Retry, 0, ItemStatus.Failed)]
    [InlineData(AttemptOutcome.TimedOut, 0, ItemStatus.TimedOut)]
    [InlineData(AttemptOutcome.Crashed, 0, ItemStatus.Crashed)]
    [InlineData(AttemptOutcome.Retry, 1, null)]
    [InlineData(AttemptOutcome.TimedOut, 1, null)]
    [InlineData(AttemptOutcome.Crashed, 1, null)]
    [InlineData(AttemptOutcome.WorkerLost, 0, null)]
    public void A_first_attempt_settles_or_is_retried_by_its_outcome_and_the_retries_left(AttemptOutcome outcome, int maxRetries, ItemStatus? expected)
    {
        AttemptDecision decision = Policy(maxRetries, poison: 5).Decide(Item(), outcome, null, retriesAllowed: true);

        decision.Final.Should().Be(expected);
        (decision.Delay is null).Should().Be(expected is not null);
    }

    [Fact]
    public void An_item_that_crashed_PoisonThreshold_workers_is_quarantined_whatever_retries_are_left()
    {
        AttemptPolicy policy = Policy(maxRetries: 10, poison: 2);
        DispatchedItem item = Item();

        policy.Decide(item, AttemptOutcome.Crashed, null, true).Final.Should().BeNull();
        policy.Decide(item, AttemptOutcome.Crashed, null, true).Final.Should().Be(ItemStatus.Quarantined);
    }

    [Fact]
    public void Lost_connections_use_no_retry_count_toward_no_poison_and_are_capped_by_MaxConnectionLosses()
    {
        AttemptPolicy policy = Policy(maxRetries: 1, poison: 1, losses: 3);
        DispatchedItem item = Item();

        policy.Decide(item, AttemptOutcome.WorkerLost, null, true).Should().Be(new AttemptDecision(null, TimeSpan.Zero));
        policy.Decide(item, AttemptOutcome.WorkerLost, null, true).Final.Should().BeNull();
        policy.Decide(item, AttemptOutcome.Retry, null, true).Final.Should().BeNull("two lost connections left the one retry unused");
        policy.Decide(item, AttemptOutcome.WorkerLost, null, true).Final.Should().Be(ItemStatus.Quarantined);
        item.Crashes.Should().Be(0);
        item.ConnectionLosses.Should().Be(3);
        item.Attempts.Should().Be(4);
    }

    [Theory]
    [InlineData(AttemptOutcome.Retry, ItemStatus.Failed)]
    [InlineData(AttemptOutcome.WorkerLost, ItemStatus.NotPerformed)]
    public void Once_the_run_stops_taking_work_nothing_is_retried(AttemptOutcome outcome, ItemStatus expected)
    {
        Policy(maxRetries: 5).Decide(Item(), outcome, null, retriesAllowed: false).Final.Should().Be(expected);
    }

    [Fact]
    public void OnAttempt_is_told_failed_for_a_retryable_attempt_that_was_the_items_last()
    {
        AttemptPolicy.Reported(AttemptOutcome.Retry, AttemptDecision.Settle(ItemStatus.Failed)).Should().Be(AttemptOutcome.Failed);
        AttemptPolicy.Reported(AttemptOutcome.Retry, AttemptDecision.RetryAfter(TimeSpan.Zero)).Should().Be(AttemptOutcome.Retry);
        AttemptPolicy.Reported(AttemptOutcome.Crashed, AttemptDecision.Settle(ItemStatus.Crashed)).Should().Be(AttemptOutcome.Crashed);
    }
}
