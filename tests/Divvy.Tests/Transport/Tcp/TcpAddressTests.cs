using System.Net;
using Divvy.Transport.Tcp;

namespace Divvy.Tests.Transport.Tcp;

public sealed class TcpAddressTests
{
    [Theory]
    [InlineData("7601", "127.0.0.1:7601")]
    [InlineData("0", "127.0.0.1:0")]
    [InlineData("127.0.0.1:7601", "127.0.0.1:7601")]
    [InlineData("localhost:7601", "127.0.0.1:7601")]
    [InlineData("0.0.0.0:7601", "0.0.0.0:7601")]
    [InlineData("[::1]:7601", "[::1]:7601")]
    public void A_listen_address_is_an_IP_and_a_port_and_a_bare_port_is_loopback(string text, string expected)
    {
        TcpAddress.TryParseListen(text, out IPEndPoint? endpoint, out string? error).Should().BeTrue(error);

        endpoint!.ToString().Should().Be(expected);
    }

    [Theory]
    [InlineData("example.com:7601", "listen on an IP address")]
    [InlineData("127.0.0.1:", "no valid port")]
    [InlineData("127.0.0.1:65536", "no valid port")]
    [InlineData(":7601", "no host")]
    [InlineData("::1:7601", "IPv6 address in brackets")]
    public void A_bad_listen_address_is_refused_with_the_reason(string text, string reason)
    {
        TcpAddress.TryParseListen(text, out _, out string? error).Should().BeFalse();

        error.Should().Contain(reason);
    }

    [Theory]
    [InlineData("node7.cluster:7601", "node7.cluster", 7601)]
    [InlineData("7601", "127.0.0.1", 7601)]
    public void A_connect_address_may_name_a_host(string text, string host, int port)
    {
        TcpAddress.TryParse(text, allowAnyPort: false, out string? parsedHost, out int parsedPort, out _).Should().BeTrue();

        (parsedHost, parsedPort).Should().Be((host, port));
    }

    [Fact]
    public void A_worker_cannot_dial_port_0()
    {
        TcpAddress.TryParse("127.0.0.1:0", allowAnyPort: false, out _, out _, out string? error).Should().BeFalse();

        error.Should().Contain("port 1 to 65535");
    }
}
