using System.Reflection;

namespace Divvy.Tests;

public sealed class ItemAttemptTests
{
    [Fact]
    public void I_can_build_attempts_in_a_test_and_check_my_OnAttempt_hook()
    {
        var job = new RetryCountingJob();
        var worker = new WorkerInfo(3, 4711);
        var error = new RemoteError("System.TimeoutException", "slow backend", "");

        job.OnAttempt(new ItemAttempt<int>(5, 1, AttemptOutcome.Retry, worker, TimeSpan.FromMilliseconds(30), error, TimeSpan.FromMilliseconds(100)));
        job.OnAttempt(new ItemAttempt<int>(5, 2, AttemptOutcome.Retry, worker, TimeSpan.FromMilliseconds(30), error, TimeSpan.FromMilliseconds(200)));
        job.OnAttempt(new ItemAttempt<int>(5, 3, AttemptOutcome.Succeeded, worker, TimeSpan.FromMilliseconds(10), null, null));

        job.Retries.Should().Be(2);
        job.WaitedFor.Should().Be(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void Its_constructor_sets_every_member()
    {
        var error = new RemoteError("System.Exception", "boom", "");

        var attempt = new ItemAttempt<string>("x", 2, AttemptOutcome.Retry, new WorkerInfo(1, 12), TimeSpan.FromSeconds(2), error, TimeSpan.FromSeconds(4));

        attempt.Item.Should().Be("x");
        attempt.Attempt.Should().Be(2);
        attempt.Outcome.Should().Be(AttemptOutcome.Retry);
        attempt.Worker.Should().Be(new WorkerInfo(1, 12));
        attempt.Duration.Should().Be(TimeSpan.FromSeconds(2));
        attempt.Error.Should().BeSameAs(error);
        attempt.RetryDelay.Should().Be(TimeSpan.FromSeconds(4));
    }

    [Fact]
    public void Its_constructor_is_public_so_code_outside_Divvy_can_call_it()
    {
        // Divvy.Tests sees Divvy's internals, so compiling the tests above proves nothing for users.
        typeof(ItemAttempt<int>).GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .Should().ContainSingle(constructor => constructor.GetParameters().Length == 7);
    }

    private sealed class RetryCountingJob : IParallelizable<int>
    {
        public int Retries { get; private set; }

        public TimeSpan WaitedFor { get; private set; }

        public IEnumerable<int> Dispatch() => [];

        public void Perform(int item)
        {
        }

        public void OnAttempt(ItemAttempt<int> attempt)
        {
            if (attempt.Outcome == AttemptOutcome.Retry)
            {
                Retries++;
                WaitedFor += attempt.RetryDelay ?? TimeSpan.Zero;
            }
        }
    }
}
