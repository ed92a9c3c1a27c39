using Divvy.Protocol;

namespace Divvy.Worker;

/// <summary>An output sink over two streams, one per <see cref="StandardStream"/>: a worker's real stdout and stderr once it no longer sends them to its master.</summary>
internal sealed class StreamOutputSink : IOutputSink
{
    private readonly Stream _output;
    private readonly Stream _error;

    public StreamOutputSink(Stream output, Stream error)
    {
        _output = output;
        _error = error;
    }

    public void Write(StandardStream stream, ReadOnlySpan<byte> bytes) => (stream == StandardStream.Output ? _output : _error).Write(bytes);

    public void Flush()
    {
        _output.Flush();
        _error.Flush();
    }
}
