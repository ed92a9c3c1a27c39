using Divvy.Tests.Support;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary>The clients in other languages against a real server, and a client of another user.</summary>
public sealed partial class ServeSpecs
{
    [Fact]
    public async Task The_python_client_and_its_errand_boy_shim_pass_their_suite_against_the_same_server_as_the_csharp_client()
    {
        await using ServeServerRun server = await ServeServerRun.StartAsync("-n", "2");
        await using Divvy.Client.DivvyClient csharp = await server.ConnectAsync();
        await using Divvy.Client.RemoteProcess held = await csharp.StartAsync(new Divvy.Client.RemoteStartInfo("cat"));

        await using ProcessRun python = Start(
            "python3",
            ["-m", "unittest", "-v", "test_divvy_client"],
            new Dictionary<string, string> { ["DIVVY_SOCKET"] = server.Socket, ["PYTHONPATH"] = Path.Combine(Artifacts.RepositoryRoot, "clients/python") },
            workingDirectory: Path.Combine(Artifacts.RepositoryRoot, "clients/python"));

        (await python.WaitAsync(TimeSpan.FromMinutes(2))).Should().Be(0, python.AllStderr);
        python.AllStderr.Should().Contain("Ran 9 tests").And.Contain("OK");
        (await held.CommunicateAsync("the C# client's command ran beside them")).StandardOutput.Should().Be("the C# client's command ran beside them");
    }

    [RootFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_client_of_another_user_is_refused_even_when_the_socket_lets_it_in()
    {
        await using ServeServerRun server = await ServeServerRun.StartAsync("-n", "1");

        // Loosened on purpose: the socket's mode (0600) would stop it first; the peer check is the second wall.
        File.SetUnixFileMode(server.Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(server.Socket, (UnixFileMode)Convert.ToInt32("666", 8));
        string script = $"import socket; s = socket.socket(socket.AF_UNIX); s.connect('{server.Socket}'); s.sendall(b'DIVVY/1\\n'); import sys; data = b''\nwhile True:\n    chunk = s.recv(4096)\n    if not chunk: break\n    data += chunk\nprint(data[13:].decode())";
        await using ProcessRun stranger = Start("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", script]);

        (await stranger.WaitAsync()).Should().Be(0, stranger.AllStderr);
        stranger.Stdout.Single().Should().Contain("\"code\":\"forbidden\"").And.Contain("uid 65534 may not use this server");
        server.Server.Stderr.Should().Contain(l => l.StartsWith("divvy serve: refused a client of uid 65534 (pid ", StringComparison.Ordinal));
    }
}
