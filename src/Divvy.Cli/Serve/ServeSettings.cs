namespace Divvy.Cli.Serve;

/// <summary>How <c>divvy serve</c> was asked to run.</summary>
internal sealed record ServeSettings(string SocketPath, int Slots, int MaxQueue, TimeSpan DrainTimeout, string? RunLogPath = null);
