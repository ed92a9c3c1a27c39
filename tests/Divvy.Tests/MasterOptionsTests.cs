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
        { "RetryMaxDelay", o => { o.RetryBaseDelay = TimeSpan.FromSeconds(10); o.RetryMaxDelay = TimeSpan.FromSeconds(1); } },
        { "ItemTimeout", o => o.ItemTimeout = TimeSpan.Zero },
        { "HeartbeatTimeout", o => { o.HeartbeatInterval = TimeSpan.FromSeconds(5); o.HeartbeatTimeout = TimeSpan.FromSeconds(5); } },
        { "MaxItemsPerWorker", o => o.MaxItemsPerWorker = 0 },
        { "MaxWorkerMemory", o => o.MaxWorkerMemory = 1000 },
        { "MaxWorkerAge", o => o.MaxWorkerAge = TimeSpan.FromMilliseconds(1) },
        { "MaxFrameSize", o => o.MaxFrameSize = 100 },
        { "Workers", o => o.Workers = 0 },
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

    [Fact]
    public void A_master_keeps_its_own_copy_of_the_options()
    {
        var options = new MasterOptions { Workers = 2 };
        MasterOptions copy = options.Clone();

        options.Workers = 9;

        copy.Workers.Should().Be(2);
    }
}
