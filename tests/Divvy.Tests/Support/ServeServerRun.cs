using Divvy.Client;

namespace Divvy.Tests.Support;

/// <summary>A real <c>divvy serve</c> on a socket of its own, in a directory of its own; disposing stops it and removes both.</summary>
internal sealed class ServeServerRun : IAsyncDisposable
{
    private ServeServerRun(ProcessRun server, string directory)
    {
        Server = server;
        Directory = directory;
    }

    public ProcessRun Server { get; }

    public string Directory { get; }

    public string Socket => Path.Combine(Directory, "s.sock");

    /// <summary>Starts <c>divvy serve --socket DIR/s.sock FLAGS</c> and waits until it listens.</summary>
    public static async Task<ServeServerRun> StartAsync(params string[] flags)
    {
        string directory = System.IO.Directory.CreateTempSubdirectory("divvy-serve-").FullName;
        ProcessRun server = ProcessRun.DivvyCommand(["serve", "--socket", Path.Combine(directory, "s.sock"), .. flags]);
        await server.WaitForStderrLineAsync("divvy serve: listening on ");
        return new ServeServerRun(server, directory);
    }

    public Task<DivvyClient> ConnectAsync() => DivvyClient.ConnectAsync(Socket);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
