using Divvy.Jobs;
using Divvy.Protocol;

namespace Divvy.Transport;

/// <summary>
/// A connected worker as the master's scheduler sees it: messages in, messages and items out, in
/// order. It knows frames and messages, not processes or sockets; how the worker came to exist is
/// its <see cref="Launching.IWorkerHandle"/>'s business.
/// </summary>
internal interface IWorkerChannel : IAsyncDisposable
{
    /// <summary>
    /// Bytes of payload worth keeping in flight to one worker: what the link buffers without the
    /// writer waiting. The prefetch window holds big items to about this much.
    /// </summary>
    int PreferredWindowBytes { get; }

    /// <summary>
    /// The messages that arrived together, in order, at least one; <c>null</c> once the worker's side
    /// has ended (closed or broken). Payloads are the caller's to keep. One reader at a time.
    /// </summary>
    /// <exception cref="ProtocolException">The worker sent something that is not a valid frame.</exception>
    /// <exception cref="FrameTooLargeException">A frame is longer than the run's maximum.</exception>
    ValueTask<IReadOnlyList<Message>?> ReadBatchAsync(CancellationToken cancellationToken);

    /// <summary>Queues a message behind everything posted before it. Never blocks; ignored once the channel is completed.</summary>
    void Post(Message message);

    /// <summary>Queues items behind everything posted before them, to go out as one batch of frames.</summary>
    void PostItems(IReadOnlyList<DispatchedItem> items);
}
