using System.Text.RegularExpressions;
using Divvy.Client;
using Divvy.Tests.Support;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary><c>divvy serve --listen tcp://...</c>: only with a token, proven both ways, and on loopback unless asked.</summary>
public sealed partial class ServeSpecs
{
    [Fact]
    public async Task A_tcp_client_with_the_token_is_served_and_one_with_a_wrong_token_is_refused_with_one_line()
    {
        string tokenFile = Path.Combine(Path.GetTempPath(), $"divvy-serve-token-{Guid.NewGuid():N}");
        try
        {
            await using ServeServerRun server = await ServeServerRun.StartAsync("-n", "1", "--listen", "tcp://127.0.0.1:0", "--token-file", tokenFile);
            string listening = server.Server.Stderr.Single(l => l.StartsWith("divvy serve: listening on ", StringComparison.Ordinal));
            int port = int.Parse(Regex.Match(listening, @"tcp://127\.0\.0\.1:(\d+)").Groups[1].Value);
            string token = await File.ReadAllTextAsync(tokenFile);

            await using (DivvyClient client = await DivvyClient.ConnectTcpAsync("127.0.0.1", port, token))
            {
                (await client.RunAndCaptureTextAsync("echo", ["over tcp"])).StandardOutput.Should().Be("over tcp\n");
            }

            ServeException refused = (await FluentActions.Awaiting(() => DivvyClient.ConnectTcpAsync("127.0.0.1", port, new string('0', 64))).Should().ThrowAsync<ServeException>()).Which;
            refused.Code.Should().Be("forbidden");
            server.Server.Stderr.Should().Contain(l => l.StartsWith("divvy serve: refused a TCP client from 127.0.0.1:", StringComparison.Ordinal) && l.EndsWith("wrong token (its proof does not match)", StringComparison.Ordinal));

            await using ProcessRun run = DivvyCommand("run", "--tcp", $"127.0.0.1:{port}", "--token-file", tokenFile, "--", "sh", "-c", "echo from divvy run; exit 4");
            (await run.WaitAsync()).Should().Be(4, run.AllStderr);
            run.Stdout.Should().Equal("from divvy run");
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }

    [Theory]
    [InlineData("--listen tcp://0.0.0.0:0 --token-file /tmp/never-created-divvy-token", "divvy serve: --listen tcp://0.0.0.0:0 is not a loopback address: other machines could reach the server; add --allow-remote if that is what you want")]
    [InlineData("--listen tcp://127.0.0.1:0", "divvy serve: --listen needs --token-file: a TCP client must prove it knows the token (the file is created, mode 0600, when absent)")]
    [InlineData("--dashboard 9464", "divvy serve: --dashboard needs a job assembly: the dashboard shows the served job's run (divvy serve --dashboard PORT job.dll)")]
    public async Task Tcp_without_a_token_or_beyond_loopback_unasked_or_a_dashboard_without_a_job_is_refused_before_anything_listens(string flags, string message)
    {
        string directory = Directory.CreateTempSubdirectory("divvy-serve-").FullName;
        try
        {
            await using ProcessRun server = DivvyCommand(["serve", "--socket", Path.Combine(directory, "s.sock"), .. flags.Split(' ')]);

            (await server.WaitAsync()).Should().Be(2);
            server.Stderr.First().Should().Be(message);
            File.Exists("/tmp/never-created-divvy-token").Should().BeFalse();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
