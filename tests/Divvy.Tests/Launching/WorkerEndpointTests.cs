using Divvy.Launching;

namespace Divvy.Tests.Launching;

public sealed class WorkerEndpointTests
{
    [Fact]
    public void The_marker_round_trips()
    {
        var endpoint = new WorkerEndpoint.Pipes(4711, 3, "12", "15");

        WorkerEndpoint.TryParse(endpoint.Format(), out WorkerEndpoint? parsed, out _).Should().BeTrue();

        parsed.Should().Be(endpoint);
    }

    [Fact]
    public void A_master_written_marker_parses_as_a_pipes_endpoint_with_each_field()
    {
        WorkerEndpoint.TryParse("v1;master=4711;worker=3;down=12;up=15", out WorkerEndpoint? parsed, out string? error).Should().BeTrue();

        error.Should().BeNull();
        parsed.Should().BeOfType<WorkerEndpoint.Pipes>()
            .Which.Should().Be(new WorkerEndpoint.Pipes(MasterProcessId: 4711, WorkerNumber: 3, DownHandle: "12", UpHandle: "15"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("v2;master=1;worker=1;down=3;up=4")]
    [InlineData("v1;master=x;worker=1;down=3;up=4")]
    [InlineData("v1;master=1;worker=1;down=3")]
    public void A_marker_that_is_not_ours_is_refused_with_a_reason(string marker)
    {
        WorkerEndpoint.TryParse(marker, out _, out string? error).Should().BeFalse();
        error.Should().NotBeNullOrEmpty();
    }

    [Theory]
    [InlineData("v2;master=1;worker=1;down=3;up=4", "unknown marker format 'v2;master=1;worker=1;down=3;up=4'")]
    [InlineData("pipes", "unknown marker format 'pipes'")]
    [InlineData("v1;master=-1;worker=1;down=3;up=4", "marker 'v1;master=-1;worker=1;down=3;up=4' lacks master, worker, down or up")]
    [InlineData("v1;worker=1;down=3;up=4", "marker 'v1;worker=1;down=3;up=4' lacks master, worker, down or up")]
    [InlineData("v1;master=1;worker=;down=3;up=4", "marker 'v1;master=1;worker=;down=3;up=4' lacks master, worker, down or up")]
    [InlineData("v1;master=1;worker=1;up=4", "marker 'v1;master=1;worker=1;up=4' lacks master, worker, down or up")]
    [InlineData("v1;master=1;worker=1;down=3;up", "marker 'v1;master=1;worker=1;down=3;up' lacks master, worker, down or up")]
    public void A_malformed_marker_yields_no_endpoint_and_says_what_is_wrong(string marker, string expected)
    {
        WorkerEndpoint.TryParse(marker, out WorkerEndpoint? parsed, out string? error).Should().BeFalse();

        parsed.Should().BeNull();
        error.Should().Be(expected);
    }

    [Fact]
    public void The_test_process_is_not_a_worker()
    {
        WorkerEnvironment.IsWorkerProcess.Should().BeFalse();
        Master.IsWorker.Should().BeFalse();
    }

    [Fact]
    public void DIVVY_CONNECT_with_a_token_file_parses_as_a_tcp_endpoint()
    {
        WorkerEndpoint.Tcp.TryParse("node7:7601", "/run/divvy.token", null, out WorkerEndpoint? parsed, out string? error).Should().BeTrue(error);

        var tcp = parsed.Should().BeOfType<WorkerEndpoint.Tcp>().Subject;
        (tcp.Host, tcp.Port, tcp.Token.File).Should().Be(("node7", 7601, "/run/divvy.token"));
    }

    [Theory]
    [InlineData("127.0.0.1:0", "/t", null, "DIVVY_CONNECT: '127.0.0.1:0' has no valid port (HOST:PORT, port 1 to 65535)")]
    [InlineData("127.0.0.1:7601", null, null, "DIVVY_CONNECT is set but neither DIVVY_TOKEN_FILE nor DIVVY_TOKEN is: a TCP worker needs the run's token")]
    public void DIVVY_CONNECT_without_a_usable_address_or_token_is_refused_with_the_reason(string connect, string? file, string? token, string reason)
    {
        WorkerEndpoint.Tcp.TryParse(connect, file, token, out _, out string? error).Should().BeFalse();

        error.Should().Be(reason);
    }
}
