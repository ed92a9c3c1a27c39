using Divvy.Jobs;

namespace Divvy.Tests.Jobs;

/// <summary>What the binder notes of a job's async hooks, and the near misses it refuses.</summary>
public sealed class JobShapeTests
{
    private sealed class AsyncHooks : IParallelizable<int>
    {
        public IEnumerable<int> Dispatch() => [1];

        public void Perform(int item)
        {
        }

        public ValueTask BeforeSpawnAsync(WorkerInfo worker, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask OnResultAsync(ItemResult<int, NoResult> result, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class SyncHooks : IParallelizable<int>
    {
        public IEnumerable<int> Dispatch() => [1];

        public void Perform(int item)
        {
        }

        public void BeforeSpawn(WorkerInfo worker)
        {
        }

        public void OnResult(ItemResult<int, NoResult> result)
        {
        }
    }

    private sealed class TaskNotValueTask : IParallelizable<int>
    {
        public IEnumerable<int> Dispatch() => [1];

        public void Perform(int item)
        {
        }

        public Task OnResultAsync(ItemResult<int, NoResult> result, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Fact]
    public void A_job_with_OnResultAsync_or_BeforeSpawnAsync_has_them_called_off_the_loop()
    {
        JobShape shape = JobBinder.Bind(new AsyncHooks()).Shape;

        shape.ReportsResultsAsynchronously.Should().BeTrue();
        shape.PreparesSpawnsAsynchronously.Should().BeTrue();
    }

    [Fact]
    public void A_job_with_the_synchronous_hooks_keeps_them_on_the_loop()
    {
        JobShape shape = JobBinder.Bind(new SyncHooks()).Shape;

        shape.ReportsResultsAsynchronously.Should().BeFalse();
        shape.PreparesSpawnsAsynchronously.Should().BeFalse();
    }

    [Fact]
    public void An_async_hook_with_a_signature_that_implements_nothing_is_refused()
    {
        Action bind = () => JobBinder.Bind(new TaskNotValueTask());

        bind.Should().Throw<JobDefinitionException>().WithMessage("*declares OnResultAsync with a signature that implements nothing*expected ValueTask OnResultAsync(*");
    }
}
