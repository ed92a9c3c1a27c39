using Divvy.Jobs;

namespace Divvy.Tests.Jobs;

public sealed class JobBinderTests
{
    private sealed class Complete : IParallelizable<int, string>
    {
        public IEnumerable<int> Dispatch() => [1];

        public string Perform(int item) => "x";
    }

    private sealed class AsyncOnly : IParallelizable<string>
    {
        public async IAsyncEnumerable<string> DispatchAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            yield return "a";
        }

        public ValueTask PerformAsync(string item, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class NoDispatch : IParallelizable<int>
    {
        public void Perform(int item)
        {
        }
    }

    private sealed class NoPerform : IParallelizable<int>
    {
        public IEnumerable<int> Dispatch() => [1];
    }

    private sealed class Marker : IParallelizable
    {
    }

    [Fact]
    public void Binds_sync_and_async_jobs_of_either_kind()
    {
        JobBinder.Bind(new Complete()).Should().BeOfType<JobAdapter<int, string>>();
        JobBinder.Bind(new AsyncOnly()).Should().BeOfType<JobAdapter<string, NoResult>>();
    }

    [Fact]
    public void It_notes_which_optional_members_the_job_supplies()
    {
        JobBinder.Bind(new Complete()).Shape.Should().Be(new JobShape(DispatchesSynchronously: true, ObservesAttempts: false));
        JobBinder.Bind(new AsyncOnly()).Shape.Should().Be(new JobShape(DispatchesSynchronously: false, ObservesAttempts: false));
        JobBinder.Bind(new Observing()).Shape.Should().Be(new JobShape(DispatchesSynchronously: true, ObservesAttempts: true));
    }

    private sealed class Observing : IParallelizable<int>
    {
        public IEnumerable<int> Dispatch() => [1];

        public void Perform(int item)
        {
        }

        public void OnAttempt(ItemAttempt<int> attempt)
        {
        }
    }

    [Fact]
    public void A_job_without_Dispatch_is_refused_before_anything_starts()
    {
        Action bind = () => new Master(new NoDispatch(), 2);

        bind.Should().Throw<JobDefinitionException>().WithMessage("job *NoDispatch must implement Dispatch() or DispatchAsync(CancellationToken)");
    }

    [Fact]
    public void A_job_without_Perform_is_refused_before_anything_starts()
    {
        Action bind = () => JobBinder.Bind(new NoPerform());

        bind.Should().Throw<JobDefinitionException>().WithMessage("*must implement Perform(item) or PerformAsync(item, CancellationToken)");
    }

    [Fact]
    public void The_bare_marker_interface_is_not_a_job()
    {
        Action bind = () => JobBinder.Bind(new Marker());

        bind.Should().Throw<JobDefinitionException>().WithMessage("*neither IParallelizable<TItem> nor IParallelizable<TItem, TResult>");
    }

    [Fact]
    public async Task The_void_variant_performs_through_the_result_contract()
    {
        var performed = new List<int>();
        IParallelizable<int, NoResult> job = new Recording(performed);

        await job.PerformAsync(5, default);
        job.Perform(6);

        performed.Should().Equal(5, 6);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1025)]
    public void Worker_counts_out_of_range_are_refused(int workers)
    {
        Action create = () => new Master(new Complete(), workers);

        create.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*MasterOptions.Workers must be between 1 and 1,024*");
    }

    private sealed class Recording(List<int> performed) : IParallelizable<int>
    {
        public IEnumerable<int> Dispatch() => [];

        public void Perform(int item) => performed.Add(item);
    }
}
