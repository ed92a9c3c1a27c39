using System.IO.Pipes;
using Divvy.Transport;

namespace Divvy.Tests.Transport;

/// <summary>The contract, met by a <see cref="StreamWorkerChannel"/> over two real anonymous pipes (a local worker's).</summary>
public sealed class PipeWorkerChannelContractTests : WorkerChannelContractTests
{
    internal override Task<Pair> CreatePairAsync(int maxFrameSize)
    {
        var down = new AnonymousPipeServerStream(PipeDirection.Out);
        var up = new AnonymousPipeServerStream(PipeDirection.In);
        var workerReads = new AnonymousPipeClientStream(PipeDirection.In, down.ClientSafePipeHandle);
        var workerWrites = new AnonymousPipeClientStream(PipeDirection.Out, up.ClientSafePipeHandle);
        var channel = new StreamWorkerChannel(up, down, maxFrameSize, 64 * 1024);
        return Task.FromResult(new Pair(channel, workerReads, workerWrites, new Streams(down, up)));
    }

    /// <summary>The master's pipe ends; the channel leaves its streams to whoever made them.</summary>
    private sealed class Streams(Stream down, Stream up) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await down.DisposeAsync();
            await up.DisposeAsync();
        }
    }
}
