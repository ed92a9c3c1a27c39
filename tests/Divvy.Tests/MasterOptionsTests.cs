namespace Divvy.Tests;

public sealed class MasterOptionsTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        new MasterOptions().Clone().Validated().Should().NotBeNull();
    }

    public static TheoryData<string, Action<MasterOptions>> OutOfRange => new()
    {
        { "MaxRetries", o => o.MaxRetries = -1 },
        { "PoisonThreshold", o => o.PoisonThreshold = 0 },
        { "MaxConnectionLosses", o => o.MaxConnectionLosses = 0 },
        { "RetryMaxDelay", o => { o.RetryBaseDelay = TimeSpan.FromSeconds(10); o.RetryMaxDelay = TimeSpan.FromSeconds(1); } },
        { "ItemTimeout", o => o.ItemTimeout = TimeSpan.Zero },
        { "HeartbeatTimeout", o => { o.HeartbeatInterval = TimeSpan.FromSeconds(5); o.HeartbeatTimeout = TimeSpan.FromSeconds(5); } },
        { "MaxItemsPerWorker", o => o.MaxItemsPerWorker = 0 },
        { "MaxWorkerMemory", o => o.MaxWorkerMemory = 1000 },
        { "MaxWorkerAge", o => o.MaxWorkerAge = TimeSpan.FromMilliseconds(1) },
        { "MaxFrameSize", o => o.MaxFrameSize = 100 },
        { "Workers", o => o.Workers = -1 },
        { "MaxPrefetch", o => o.MaxPrefetch = 0 },
        { "MaxConcurrentItemsPerWorker", o => o.MaxConcurrentItemsPerWorker = 0 },
        { "MaxConcurrentItemsPerWorker", o => o.MaxConcurrentItemsPerWorker = 1025 },
        { "MaxBootFailures", o => o.MaxBootFailures = 0 },
        { "MaxSpawnsPerSecond", o => o.MaxSpawnsPerSecond = 0 },
        { "ShutdownTimeout", o => o.ShutdownTimeout = TimeSpan.FromSeconds(-1) },
        { "MetricsPort", o => o.MetricsPort = 0 },
        { "MetricsLinger", o => o.MetricsLinger = TimeSpan.FromHours(2) },
        { "MetricsHost", o => o.MetricsHost = " " },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void Out_of_range_options_are_refused_naming_the_option(string option, Action<MasterOptions> set)
    {
        var options = new MasterOptions();
        set(options);

        Action validate = () => options.Clone().Validated();

        validate.Should().Throw<ArgumentOutOfRangeException>().WithMessage($"MasterOptions.{option} must be*");
    }

    public static TheoryData<Action<MasterOptions>, string> Messages => new()
    {
        { o => o.Workers = 1025, "MasterOptions.Workers must be between 0 and 1,024, got 1,025" },
        { o => { o.Workers = 0; o.Launcher = WorkerLauncherKind.Slurm; }, "MasterOptions.Workers 0 runs in process: it needs MasterOptions.Launcher local" },
        { o => o.ShutdownTimeout = TimeSpan.FromHours(2), "MasterOptions.ShutdownTimeout must be between 0s and 1h, got 2h" },
        { o => o.MaxWorkerMemory = 1000, "MasterOptions.MaxWorkerMemory must be at least 1M, got 1000" },
        { o => o.HeartbeatTimeout = TimeSpan.FromMilliseconds(500), "MasterOptions.HeartbeatTimeout must be longer than MasterOptions.HeartbeatInterval (5s), got 500ms" },
        { o => o.RetryMaxDelay = TimeSpan.FromMilliseconds(100), "MasterOptions.RetryMaxDelay must be at least MasterOptions.RetryBaseDelay (200ms), got 100ms" },
        { o => o.ControlToken = "short", "MasterOptions.ControlToken must be at least 8 characters long, got 5" },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Messages_give_the_range_and_the_value_in_readable_units_never_raw_TimeSpans(Action<MasterOptions> set, string message)
    {
        var options = new MasterOptions();
        set(options);

        Action validate = () => options.Clone().Validated();

        validate.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should().StartWith(message);
    }

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(50_000L, "5ms")]
    [InlineData(-10_000_000L, "-1s")]
    [InlineData(15_000_000L, "1.5s")]
    [InlineData(300_000_000L, "30s")]
    [InlineData(3_000_000_000L, "5m")]
    [InlineData(36_000_000_000L, "1h")]
    [InlineData(1L, "0.0001ms")]
    public void Durations_are_written_as_the_command_line_takes_them(long ticks, string text)
    {
        Divvy.Options.OptionText.Duration(TimeSpan.FromTicks(ticks)).Should().Be(text);
    }

    [Theory]
    [InlineData(1000L, "1000")]
    [InlineData(1024L, "1K")]
    [InlineData(64L * 1024 * 1024, "64M")]
    [InlineData(1L << 30, "1G")]
    [InlineData(1536L * 1024, "1536K")]
    public void Sizes_are_written_as_the_command_line_takes_them(long bytes, string text)
    {
        Divvy.Options.OptionText.Size(bytes).Should().Be(text);
    }

    [Fact]
    public void A_master_keeps_its_own_copy_of_the_options()
    {
        var options = new MasterOptions { Workers = 2 };
        MasterOptions copy = options.Clone();

        options.Workers = 9;

        copy.Workers.Should().Be(2);
    }

    [Fact]
    public void An_external_launcher_needs_a_listen_address_and_a_local_one_refuses_it()
    {
        var external = new MasterOptions { Launcher = WorkerLauncherKind.External };
        var local = new MasterOptions { Listen = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 7601) };

        external.FindError()!.Describe(Divvy.Options.OptionVocabulary.Api).Should().Be("MasterOptions.Launcher external needs MasterOptions.Listen: the address workers dial");
        local.FindError()!.Describe(Divvy.Options.OptionVocabulary.Api).Should().Be("MasterOptions.Listen is only for MasterOptions.Launcher external: local workers talk to the master over pipes");
        new MasterOptions { Launcher = WorkerLauncherKind.External, Listen = local.Listen }.FindError().Should().BeNull();
        new MasterOptions().ConnectTimeout.Should().Be(TimeSpan.FromMinutes(2));
        new MasterOptions { ConnectTimeout = TimeSpan.FromMilliseconds(10) }.FindError()!.Property.Should().Be(nameof(MasterOptions.ConnectTimeout));
    }
}
