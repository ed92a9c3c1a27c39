using Divvy.Launching;

namespace Divvy.Tests.Launching;

public sealed class WorkerChannelInfoTests
{
    [Fact]
    public void The_marker_round_trips()
    {
        var channel = new WorkerChannelInfo(4711, 3, "12", "15");

        WorkerChannelInfo.TryParse(channel.Format(), out WorkerChannelInfo? parsed, out _).Should().BeTrue();

        parsed.Should().Be(channel);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("v2;master=1;worker=1;down=3;up=4")]
    [InlineData("v1;master=x;worker=1;down=3;up=4")]
    [InlineData("v1;master=1;worker=1;down=3")]
    public void A_marker_that_is_not_ours_is_refused_with_a_reason(string marker)
    {
        WorkerChannelInfo.TryParse(marker, out _, out string? error).Should().BeFalse();
        error.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public void The_test_process_is_not_a_worker()
    {
        WorkerEnvironment.IsWorkerProcess.Should().BeFalse();
        Master.IsWorker.Should().BeFalse();
    }
}
