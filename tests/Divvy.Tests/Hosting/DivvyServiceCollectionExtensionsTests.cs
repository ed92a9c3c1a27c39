using Divvy.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Divvy.Tests.Hosting;

public sealed class DivvyServiceCollectionExtensionsTests
{
    [Fact]
    public void The_job_comes_from_the_container_and_its_options_from_Configure_then_the_Divvy_section_then_code()
    {
        IConfiguration configuration = Configuration(new()
        {
            ["Divvy:Workers"] = "8",
            ["Divvy:MaxRetries"] = "4",
            ["Divvy:ItemTimeout"] = "00:00:30",
            ["Divvy:ShutdownTimeout"] = "00:00:20",
            ["Divvy:HandleSignals"] = "true",
        });
        using ServiceProvider provider = Services(configuration).AddDivvy<ConfiguredJob>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(3)).BuildServiceProvider();

        (IParallelizable job, MasterOptions options) = DivvyRunService.Prepare(provider, provider.GetRequiredService<DivvyJobRegistration>(), configuration, provider.GetRequiredService<ILoggerFactory>());

        job.Should().BeOfType<ConfiguredJob>().Which.Dependency.Should().BeSameAs(provider.GetRequiredService<Dependency>());
        options.Workers.Should().Be(8, "the Divvy section sets it");
        options.MaxRetries.Should().Be(4, "the configuration wins over the job's Configure");
        options.PoisonThreshold.Should().Be(5, "what the configuration does not say, Configure does");
        options.ItemTimeout.Should().Be(TimeSpan.FromSeconds(30));
        options.ShutdownTimeout.Should().Be(TimeSpan.FromSeconds(3), "code wins over the configuration");
        options.HandleSignals.Should().BeFalse("the host owns Ctrl-C and SIGTERM");
        options.LoggerFactory.Should().BeSameAs(provider.GetRequiredService<ILoggerFactory>());
    }

    [Fact]
    public void The_host_options_bind_from_the_same_section()
    {
        IConfiguration configuration = Configuration(new() { ["Divvy:StopApplication"] = "false" });
        using ServiceProvider provider = Services(configuration).AddDivvy<ConfiguredJob>().BuildServiceProvider();

        DivvyHostOptions options = provider.GetRequiredService<IOptions<DivvyHostOptions>>().Value;

        (options.StopApplication, options.SetExitCode).Should().Be((false, true));
    }

    [Fact]
    public void A_host_runs_one_Divvy_job()
    {
        IServiceCollection services = Services(Configuration([])).AddDivvy<ConfiguredJob>();

        Action second = () => services.AddDivvy<ConfiguredJob>();

        second.Should().Throw<InvalidOperationException>().WithMessage("AddDivvy was already called*");
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private static IServiceCollection Services(IConfiguration configuration) =>
        new ServiceCollection().AddSingleton(configuration).AddLogging().AddSingleton<Dependency>();

    public sealed class Dependency;

    public sealed class ConfiguredJob(Dependency dependency) : IParallelizable<int>
    {
        public Dependency Dependency => dependency;

        public IEnumerable<int> Dispatch() => [];

        public void Perform(int item)
        {
        }

        public void Configure(MasterOptions options)
        {
            options.MaxRetries = 1;
            options.PoisonThreshold = 5;
        }
    }
}
