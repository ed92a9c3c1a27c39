namespace Divvy.Tests;

/// <summary>Which options a master runs with: the job's Configure, the caller's, and which wins.</summary>
public sealed class MasterTests
{
    private sealed class Configuring : IParallelizable<int>
    {
        public int Calls { get; private set; }

        public IEnumerable<int> Dispatch() => [];

        public void Perform(int item)
        {
        }

        public void Configure(MasterOptions options)
        {
            Calls++;
            options.MaxRetries = 7;
            options.Workers = 9;
            options.ItemTimeout = TimeSpan.FromMinutes(2);
        }
    }

    private sealed class Misconfiguring : IParallelizable<int>
    {
        public IEnumerable<int> Dispatch() => [];

        public void Perform(int item)
        {
        }

        public void Configure(MasterOptions options) => options.MaxRetries = -1;
    }

    [Fact]
    public void A_master_created_with_a_worker_count_starts_from_the_jobs_Configure_and_the_count_given_wins()
    {
        var master = new Master(new Configuring(), 3);

        master.Options.MaxRetries.Should().Be(7);
        master.Options.ItemTimeout.Should().Be(TimeSpan.FromMinutes(2));
        master.Options.Workers.Should().Be(3);
    }

    [Fact]
    public void A_master_created_without_options_runs_with_the_jobs_Configure()
    {
        var master = new Master(new Configuring());

        master.Options.MaxRetries.Should().Be(7);
        master.Options.Workers.Should().Be(9);
    }

    [Fact]
    public void Options_passed_to_the_master_are_taken_as_they_are_and_Configure_is_not_called()
    {
        var job = new Configuring();

        var master = new Master(job, new MasterOptions { Workers = 2 });

        job.Calls.Should().Be(0);
        master.Options.MaxRetries.Should().Be(0);
        master.Options.ItemTimeout.Should().BeNull();
    }

    [Fact]
    public void OptionsFor_gives_the_jobs_defaults_for_the_caller_to_override_as_the_divvy_tool_does()
    {
        var job = new Configuring();
        MasterOptions options = Master.OptionsFor(job);
        options.MaxRetries = 1;

        var master = new Master(job, options);

        job.Calls.Should().Be(1);
        master.Options.MaxRetries.Should().Be(1, "what the caller sets after Configure wins");
        master.Options.ItemTimeout.Should().Be(TimeSpan.FromMinutes(2), "what the caller leaves alone stays the job's");
        master.Options.Workers.Should().Be(9);
    }

    [Fact]
    public void An_option_Configure_sets_out_of_range_is_refused_like_any_other()
    {
        Action create = () => new Master(new Misconfiguring(), 2);

        create.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*MaxRetries*");
    }
}
