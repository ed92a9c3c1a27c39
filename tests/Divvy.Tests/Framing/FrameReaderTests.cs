using System.Buffers;
using System.Buffers.Binary;
using Divvy.Framing;

namespace Divvy.Tests.Framing;

public sealed class FrameReaderTests
{
    private static byte[] Frames(params byte[][] payloads)
    {
        var stream = new MemoryStream();
        var writer = new FrameWriter(stream, 1 << 20);
        foreach (byte[] payload in payloads)
        {
            writer.BeginFrame().Write(payload);
            writer.EndFrame();
        }

        writer.Flush();
        return stream.ToArray();
    }

    private static byte[] Payload(int length, byte seed) => Enumerable.Range(0, length).Select(i => (byte)(i + seed)).ToArray();

    [Fact]
    public async Task Reads_back_every_frame_then_null_at_a_clean_end()
    {
        byte[][] payloads = [Payload(0, 0), Payload(1, 1), Payload(100, 2), Payload(5000, 3)];
        var reader = new FrameReader(new MemoryStream(Frames(payloads)), 1 << 20, bufferSize: 64);

        foreach (byte[] expected in payloads)
        {
            (await reader.ReadAsync(default))!.Value.ToArray().Should().Equal(expected);
        }

        (await reader.ReadAsync(default)).Should().BeNull();
    }

    [Fact]
    public async Task It_says_whether_the_next_frame_is_already_buffered()
    {
        // Three small frames arrive in one read; the fourth is bigger than what is left of the buffer.
        var reader = new FrameReader(new MemoryStream(Frames(Payload(3, 0), Payload(3, 1), Payload(3, 2), Payload(40, 3))), 1 << 20, bufferSize: 32);

        reader.HasBufferedFrame.Should().BeFalse("nothing has been read yet");
        (await reader.ReadAsync(default)).Should().NotBeNull();
        reader.HasBufferedFrame.Should().BeTrue();
        (await reader.ReadAsync(default)).Should().NotBeNull();
        reader.HasBufferedFrame.Should().BeTrue();
        (await reader.ReadAsync(default))!.Value.ToArray().Should().Equal(Payload(3, 2));
        reader.HasBufferedFrame.Should().BeFalse("only part of the fourth frame is in the buffer");
        (await reader.ReadAsync(default))!.Value.ToArray().Should().Equal(Payload(40, 3));
        reader.HasBufferedFrame.Should().BeFalse();
    }

    [Fact]
    public async Task A_frame_bigger_than_the_buffer_comes_in_an_array_of_its_own()
    {
        var reader = new FrameReader(new MemoryStream(Frames(Payload(10, 0), Payload(100, 1))), 1 << 20, bufferSize: 32);

        ReadOnlyMemory<byte> small = (await reader.ReadAsync(default))!.Value;
        reader.IsInBuffer(small).Should().BeTrue("a small frame is a view of the reused buffer");
        ReadOnlyMemory<byte> big = (await reader.ReadAsync(default))!.Value;
        reader.IsInBuffer(big).Should().BeFalse();
        big.ToArray().Should().Equal(Payload(100, 1));
    }

    [Fact]
    public async Task A_reader_that_rents_large_frames_hands_each_over_in_a_pooled_array_of_the_callers()
    {
        var reader = new FrameReader(new MemoryStream(Frames(Payload(10, 0), Payload(100, 1), Payload(70, 2))), 1 << 20, bufferSize: 32, rentsLargeFrames: true);

        ReadOnlyMemory<byte> small = (await reader.ReadAsync(default))!.Value;
        reader.IsRented(small).Should().BeFalse("a small frame is a view of the reused buffer");
        ReadOnlyMemory<byte> big = (await reader.ReadAsync(default))!.Value;
        reader.IsRented(big).Should().BeTrue();
        reader.IsInBuffer(big).Should().BeFalse();
        ReadOnlyMemory<byte> next = reader.Read()!.Value;
        reader.IsRented(next).Should().BeTrue("the blocking read rents too");

        big.ToArray().Should().Equal(Payload(100, 1), "exactly the frame, however big the rented array");
        next.ToArray().Should().Equal(Payload(70, 2));
        ArrayPool<byte>.Shared.Return(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(big, out ArraySegment<byte> array) ? array.Array! : []);
    }

    [Fact]
    public void The_blocking_read_agrees_with_the_async_one()
    {
        byte[][] payloads = [Payload(3, 0), Payload(70_000, 9), Payload(10, 4)];
        var reader = new FrameReader(new MemoryStream(Frames(payloads)), 1 << 20, bufferSize: 1024);

        foreach (byte[] expected in payloads)
        {
            reader.Read()!.Value.ToArray().Should().Equal(expected);
        }

        reader.Read().Should().BeNull();
    }

    [Fact]
    public async Task Survives_a_stream_that_returns_one_byte_at_a_time()
    {
        byte[][] payloads = [Payload(10, 0), Payload(300, 1)];
        var reader = new FrameReader(new TrickleStream(Frames(payloads)), 1 << 20, bufferSize: 128);

        (await reader.ReadAsync(default))!.Value.ToArray().Should().Equal(payloads[0]);
        (await reader.ReadAsync(default))!.Value.ToArray().Should().Equal(payloads[1]);
        (await reader.ReadAsync(default)).Should().BeNull();
    }

    public static TheoryData<int> Cuts => new() { 1, 3, 4, 5, 50 };

    [Theory]
    [MemberData(nameof(Cuts))]
    public async Task A_stream_that_ends_inside_a_frame_is_a_truncated_frame(int keep)
    {
        byte[] bytes = Frames(Payload(100, 0))[..keep];
        var reader = new FrameReader(new MemoryStream(bytes), 1 << 20);

        Func<Task> read = async () => await reader.ReadAsync(default);

        (await read.Should().ThrowAsync<ProtocolException>()).WithMessage("truncated frame*");
    }

    [Fact]
    public void A_truncated_large_frame_is_reported_by_the_blocking_read_too()
    {
        byte[] bytes = Frames(Payload(10_000, 0))[..6000];
        var reader = new FrameReader(new MemoryStream(bytes), 1 << 20, bufferSize: 1024);

        reader.Invoking(r => r.Read()).Should().Throw<ProtocolException>().WithMessage("truncated frame: expected 10,000 bytes*");
    }

    [Fact]
    public async Task An_oversized_length_prefix_is_refused_before_anything_is_allocated()
    {
        byte[] header = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(header, uint.MaxValue);
        var reader = new FrameReader(new MemoryStream(header), 1024);

        // Only the read is measured (a memory stream completes it on this thread): the assertions'
        // own first-use allocations are no part of the claim.
        FrameTooLargeException? error = null;
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            await reader.ReadAsync(default);
        }
        catch (FrameTooLargeException ex)
        {
            error = ex;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        error.Should().NotBeNull();
        error!.Size.Should().Be(uint.MaxValue);
        error.Limit.Should().Be(1024);
        error.Message.Should().Contain("MaxFrameSize");
        allocated.Should().BeLessThan(1_000_000, "a 4 GiB claim must not allocate 4 GiB");
    }

    [Fact]
    public void A_frame_exactly_at_the_limit_is_accepted()
    {
        var reader = new FrameReader(new MemoryStream(Frames(Payload(2048, 7))), 2048, bufferSize: 512);

        reader.Read()!.Value.Length.Should().Be(2048);
    }

    private sealed class TrickleStream(byte[] data) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position == data.Length || count == 0)
            {
                return 0;
            }

            buffer[offset] = data[_position++];
            return 1;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
