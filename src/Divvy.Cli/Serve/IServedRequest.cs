namespace Divvy.Cli.Serve;

/// <summary>A request in progress on a connection: where its STDIN, STDIN_EOF and SIGNAL frames go.</summary>
internal interface IServedRequest
{
    ValueTask OnInputAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken);

    void OnInputEnd();

    void OnSignal(int signal);
}
