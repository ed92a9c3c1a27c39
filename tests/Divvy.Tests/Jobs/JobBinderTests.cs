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
    [InlineData(-1)]
    [InlineData(1025)]
    public void Worker_counts_out_of_range_are_refused(int workers)
    {
        Action create = () => new Master(new Complete(), workers);

        create.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*MasterOptions.Workers must be between 0 and 1,024*");
    }

    private sealed class Recording(List<int> performed) : IParallelizable<int>
    {
        public IEnumerable<int> Dispatch() => [];

        public void Perform(int item) => performed.Add(item);
    }

    public static TheoryData<Type, string> NearMisses => new()
    {
        { typeof(TaskPerformAsync), "TaskPerformAsync.PerformAsync(Int32, CancellationToken) returns Task<Int32>; expected ValueTask<Int32> PerformAsync(Int32 item, CancellationToken cancellationToken)" },
        { typeof(PerformAsyncWithoutToken), "PerformAsyncWithoutToken.PerformAsync(Int32) returns ValueTask<Int32>; expected ValueTask<Int32> PerformAsync(Int32 item, CancellationToken cancellationToken)" },
        { typeof(WrongResultType), "WrongResultType.OnResult(ItemResult<Int32, Int64>) returns void; expected void OnResult(ItemResult<Int32, Int32> result)" },
        { typeof(WrongItemInOnAttempt), "WrongItemInOnAttempt.OnAttempt(ItemAttempt<String>) returns void; expected void OnAttempt(ItemAttempt<Int32> attempt)" },
        { typeof(VoidJobReturningTask), "VoidJobReturningTask.PerformAsync(String, CancellationToken) returns Task; expected ValueTask PerformAsync(String item, CancellationToken cancellationToken)" },
        { typeof(VoidJobReturningValue), "VoidJobReturningValue.Perform(String) returns Int32; expected void Perform(String item)" },
        { typeof(DispatchOfTheWrongType), "DispatchOfTheWrongType.Dispatch() returns List<Int64>; expected IEnumerable<Int32> Dispatch()" },
        { typeof(NarrowShouldRetry), "NarrowShouldRetry.ShouldRetry(IOException) returns Boolean; expected Boolean ShouldRetry(Exception exception)" },
        { typeof(OnCompletedWithoutSummary), "OnCompletedWithoutSummary.OnCompleted() returns void; expected void OnCompleted(RunSummary summary)" },
        { typeof(ConfigureReturningOptions), "ConfigureReturningOptions.Configure(MasterOptions) returns MasterOptions; expected void Configure(MasterOptions options)" },
    };

    [Theory]
    [MemberData(nameof(NearMisses))]
    public void A_public_method_named_like_a_hook_whose_signature_implements_nothing_is_refused_naming_both_signatures(Type job, string expected)
    {
        Action create = () => new Master((IParallelizable)Activator.CreateInstance(job)!, 2);

        create.Should().Throw<JobDefinitionException>()
            .WithMessage($"job {job.FullName} declares * with a signature that implements nothing, so it would never be called: *")
            .Which.Message.Should().Contain(expected);
    }

    [Fact]
    public void A_job_that_writes_every_hook_with_its_exact_signature_is_accepted()
    {
        JobBinder.Bind(new EveryHook()).Should().BeOfType<JobAdapter<int, string>>();
        JobBinder.Bind(new EveryHookWithoutResult()).Should().BeOfType<JobAdapter<int, NoResult>>();
    }

    [Fact]
    public void An_overload_beside_a_member_the_job_implements_is_not_a_near_miss()
    {
        JobBinder.Bind(new OverloadBesideTheRealOne()).Should().BeOfType<JobAdapter<int, int>>();
    }

    private sealed class OverloadBesideTheRealOne : IParallelizable<int, int>
    {
        public IEnumerable<int> Dispatch() => [1];

        public int Perform(int item) => item;

        public int Perform(string text, int extra) => text.Length + extra;

        public void OnResult(ItemResult<int, int> result)
        {
        }

        public void OnResult(string note)
        {
        }
    }

    private sealed class TaskPerformAsync : IParallelizable<int, int>
    {
        public IEnumerable<int> Dispatch() => [1];

        public async Task<int> PerformAsync(int item, CancellationToken ct)
        {
            await Task.Yield();
            return item;
        }
    }

    private sealed class PerformAsyncWithoutToken : IParallelizable<int, int>
    {
        public IEnumerable<int> Dispatch() => [1];

        public int Perform(int item) => item;

        public ValueTask<int> PerformAsync(int item) => new(item);
    }

    private sealed class WrongResultType : IParallelizable<int, int>
    {
        public IEnumerable<int> Dispatch() => [1];

        public int Perform(int item) => item;

        public void OnResult(ItemResult<int, long> r)
        {
        }
    }

    private sealed class WrongItemInOnAttempt : IParallelizable<int, int>
    {
        public IEnumerable<int> Dispatch() => [1];

        public int Perform(int item) => item;

        public void OnAttempt(ItemAttempt<string> attempt)
        {
        }
    }

    private sealed class VoidJobReturningTask : IParallelizable<string>
    {
        public IEnumerable<string> Dispatch() => ["a"];

        public Task PerformAsync(string item, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class VoidJobReturningValue : IParallelizable<string>
    {
        public IEnumerable<string> Dispatch() => ["a"];

        public int Perform(string item) => item.Length;
    }

    private sealed class DispatchOfTheWrongType : IParallelizable<int, int>
    {
        public List<long> Dispatch() => [1L];

        public int Perform(int item) => item;
    }

    private sealed class NarrowShouldRetry : IParallelizable<int, int>
    {
        public IEnumerable<int> Dispatch() => [1];

        public int Perform(int item) => item;

        public bool ShouldRetry(IOException exception) => true;
    }

    private sealed class OnCompletedWithoutSummary : IParallelizable<int, int>
    {
        public IEnumerable<int> Dispatch() => [1];

        public int Perform(int item) => item;

        public void OnCompleted()
        {
        }
    }

    private sealed class ConfigureReturningOptions : IParallelizable<int, int>
    {
        public IEnumerable<int> Dispatch() => [1];

        public int Perform(int item) => item;

        public MasterOptions Configure(MasterOptions options) => options;
    }

    private sealed class EveryHook : IParallelizable<int, string>
    {
        public IEnumerable<int> Dispatch() => [1];

        public async IAsyncEnumerable<int> DispatchAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            yield return 1;
        }

        public string Perform(int item) => "x";

        public ValueTask<string> PerformAsync(int item, CancellationToken cancellationToken) => new("x");

        public void BeforeSpawn(WorkerInfo worker)
        {
        }

        public void AfterSpawn(WorkerInfo worker)
        {
        }

        public bool ShouldRetry(Exception exception) => true;

        public void OnAttempt(ItemAttempt<int> attempt)
        {
        }

        public void OnResult(ItemResult<int, string> result)
        {
        }

        public void Configure(MasterOptions options)
        {
        }

        public void OnCompleted(RunSummary summary)
        {
        }
    }

    private sealed class EveryHookWithoutResult : IParallelizable<int>
    {
        public IEnumerable<int> Dispatch() => [1];

        public void Perform(int item)
        {
        }

        public ValueTask PerformAsync(int item, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public void OnResult(ItemResult<int, NoResult> result)
        {
        }
    }
}
