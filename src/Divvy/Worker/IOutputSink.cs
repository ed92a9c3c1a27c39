using Divvy.Protocol;

namespace Divvy.Worker;

/// <summary>Where an <see cref="OutputPump"/> sends what it read: the master (Output frames), or the worker's own stdout and stderr.</summary>
internal interface IOutputSink
{
    /// <summary>Passes bytes of one stream on, in order; may block while the destination is full (that is the bound).</summary>
    /// <exception cref="IOException">The destination is gone.</exception>
    void Write(StandardStream stream, ReadOnlySpan<byte> bytes);

    /// <summary>Sends what <see cref="Write"/> has passed on and not sent yet.</summary>
    /// <exception cref="IOException">The destination is gone.</exception>
    void Flush();
}
