namespace Divvy.Client;

/// <summary>A remote command's whole output, and how it ended.</summary>
/// <param name="StandardOutput">Everything it wrote to stdout, as UTF-8 text.</param>
/// <param name="StandardError">Everything it wrote to stderr.</param>
/// <param name="ExitStatus">How it ended.</param>
public sealed record RemoteTextOutput(string StandardOutput, string StandardError, RemoteExitStatus ExitStatus);
