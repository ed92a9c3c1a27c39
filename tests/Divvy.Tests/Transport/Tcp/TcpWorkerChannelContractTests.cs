using Divvy.Transport.Tcp;

namespace Divvy.Tests.Transport.Tcp;

/// <summary>
/// The channel contract, met by a <see cref="TcpWorkerChannel"/> over a real loopback connection
/// (a remote worker's). The worker's side reads the socket and ends its writing half with a
/// shutdown, as a worker leaving without Goodbye does.
/// </summary>
public sealed class TcpWorkerChannelContractTests : WorkerChannelContractTests
{
    internal override async Task<Pair> CreatePairAsync(int maxFrameSize)
    {
        LoopbackPair loopback = await LoopbackPair.CreateAsync();
        var channel = new TcpWorkerChannel(loopback.Master, maxFrameSize);
        return new Pair(channel, loopback.Worker.Stream, new SendHalf(loopback.Worker), new Sockets(loopback));
    }

    /// <summary>The worker's writing half: disposing it ends what the master reads, and leaves the reading half open.</summary>
    private sealed class SendHalf(TcpConnection connection) : Stream
    {
        private bool _shut;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => connection.Stream.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => connection.Stream.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => connection.Stream.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            connection.Stream.WriteAsync(buffer, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_shut)
            {
                _shut = true;
                connection.ShutdownSend();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>Both sockets, closed once the test is done.</summary>
    private sealed class Sockets(LoopbackPair loopback) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            loopback.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
