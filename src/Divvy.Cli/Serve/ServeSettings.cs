namespace Divvy.Cli.Serve;

/// <summary>How <c>divvy serve</c> was asked to run.</summary>
/// <param name="Tcp">Where to listen for TCP clients too (with the token of <paramref name="TokenFile"/>); <c>null</c>: the Unix socket only.</param>
internal sealed record ServeSettings(string SocketPath, int Slots, int MaxQueue, TimeSpan DrainTimeout, string? RunLogPath = null, System.Net.IPEndPoint? Tcp = null, string? TokenFile = null);
