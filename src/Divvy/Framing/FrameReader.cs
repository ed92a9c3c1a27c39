using System.Buffers.Binary;

namespace Divvy.Framing;

/// <summary>
/// Reads length-prefixed frames (4-byte big-endian length, then the payload) from any stream.
/// One internal buffer serves many small frames per read call, which is what makes tiny items
/// cheap; a frame larger than that buffer gets an array of its own. The length is checked against
/// the limit before anything is allocated for it.
/// </summary>
/// <remarks>Not thread-safe: one reader per stream. The memory a read returns is valid until the next read.</remarks>
internal sealed class FrameReader
{
    internal const int HeaderSize = 4;
    private const int DefaultBufferSize = 64 * 1024;

    private readonly Stream _stream;
    private readonly byte[] _buffer;
    private readonly bool _rentsLargeFrames;
    private byte[]? _lastRented;
    private int _start;
    private int _end;

    /// <param name="stream">Where the frames come from.</param>
    /// <param name="maxFrameSize">The largest frame accepted.</param>
    /// <param name="bufferSize">The buffer that many small frames share.</param>
    /// <param name="rentsLargeFrames">
    /// Whether a frame bigger than the buffer is read into an array from <see cref="System.Buffers.ArrayPool{T}.Shared"/>
    /// rather than a fresh one: the caller then owns that array (see <see cref="IsRented"/>) and gives it back.
    /// </param>
    public FrameReader(Stream stream, int maxFrameSize, int bufferSize = DefaultBufferSize, bool rentsLargeFrames = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 16);
        _stream = stream;
        MaxFrameSize = maxFrameSize;
        _buffer = new byte[bufferSize];
        _rentsLargeFrames = rentsLargeFrames;
    }

    /// <summary>
    /// The largest frame accepted. Can change between reads: a worker reads the master's Start
    /// frame under a small limit, then adopts the limit that frame announces, on the same reader
    /// so that frames already buffered behind Start are not lost.
    /// </summary>
    public int MaxFrameSize { get; set; }

    /// <summary>Bytes already read from the stream and not yet returned as frames.</summary>
    public int Buffered => _end - _start;

    /// <summary>
    /// Whether <paramref name="frame"/> points into this reader's buffer, which the next read
    /// reuses: such a frame must be copied to be kept. A frame bigger than the buffer arrives in an
    /// array of its own, which the caller may keep as it is.
    /// </summary>
    public bool IsInBuffer(ReadOnlyMemory<byte> frame) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(frame, out ArraySegment<byte> segment) && ReferenceEquals(segment.Array, _buffer);

    /// <summary>
    /// Whether <paramref name="frame"/>, the last one read, is in an array rented from
    /// <see cref="System.Buffers.ArrayPool{T}.Shared"/> (only with <c>rentsLargeFrames</c>): the
    /// caller keeps it as long as it likes, then returns it.
    /// </summary>
    public bool IsRented(ReadOnlyMemory<byte> frame) =>
        _lastRented is not null && System.Runtime.InteropServices.MemoryMarshal.TryGetArray(frame, out ArraySegment<byte> segment) && ReferenceEquals(segment.Array, _lastRented);

    /// <summary>
    /// Whether a whole frame is already in the buffer, so the next read returns without touching
    /// the stream. Readers use it to hand on everything that arrived together as one batch.
    /// </summary>
    public bool HasBufferedFrame => TryPeekBufferedFrame(out _);

    /// <summary>Reads the next frame, or returns <c>null</c> when the stream ends cleanly between frames.</summary>
    /// <exception cref="ProtocolException">The stream ended inside a frame.</exception>
    /// <exception cref="FrameTooLargeException">The length prefix exceeds the limit.</exception>
    public ValueTask<ReadOnlyMemory<byte>?> ReadAsync(CancellationToken cancellationToken)
    {
        if (TryPeekBufferedFrame(out uint length) && length <= (uint)MaxFrameSize)
        {
            // Already in the buffer: no async state machine, no stream. (An oversized frame takes
            // the slow path, so its error surfaces from the awaited task like any other.)
            return new(Take(TakeLength()));
        }

        return ReadFromStreamAsync(cancellationToken);
    }

    private async ValueTask<ReadOnlyMemory<byte>?> ReadFromStreamAsync(CancellationToken cancellationToken)
    {
        if (!await FillAsync(HeaderSize, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        int length = TakeLength();
        if (length <= _buffer.Length)
        {
            if (!await FillAsync(length, cancellationToken).ConfigureAwait(false))
            {
                throw Truncated(length);
            }

            return Take(length);
        }

        byte[] large = LargeFrameArray(length);
        int have = CopyBuffered(large);
        while (have < length)
        {
            int n = await _stream.ReadAsync(large.AsMemory(have, length - have), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new ProtocolException($"truncated frame: expected {length:N0} bytes, stream ended after {have:N0}");
            }

            have += n;
        }

        return large.AsMemory(0, length);
    }

    /// <summary>The blocking twin of <see cref="ReadAsync"/>, for the worker's dedicated reader thread.</summary>
    public ReadOnlyMemory<byte>? Read()
    {
        if (!Fill(HeaderSize))
        {
            return null;
        }

        int length = TakeLength();
        if (length <= _buffer.Length)
        {
            if (!Fill(length))
            {
                throw Truncated(length);
            }

            return Take(length);
        }

        byte[] large = LargeFrameArray(length);
        int have = CopyBuffered(large);
        while (have < length)
        {
            int n = _stream.Read(large, have, length - have);
            if (n == 0)
            {
                throw new ProtocolException($"truncated frame: expected {length:N0} bytes, stream ended after {have:N0}");
            }

            have += n;
        }

        return large.AsMemory(0, length);
    }

    /// <summary>An array for a frame bigger than the buffer: rented when asked, else fresh.</summary>
    private byte[] LargeFrameArray(int length)
    {
        // Every byte is read into it before it is handed on: no need to zero it first.
        _lastRented = _rentsLargeFrames ? System.Buffers.ArrayPool<byte>.Shared.Rent(length) : null;
        return _lastRented ?? GC.AllocateUninitializedArray<byte>(length);
    }

    private bool TryPeekBufferedFrame(out uint length)
    {
        length = Buffered >= HeaderSize ? BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start, HeaderSize)) : 0;
        return Buffered >= HeaderSize && Buffered - HeaderSize >= length;
    }

    private int TakeLength()
    {
        uint length = BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start, HeaderSize));
        if (length > (uint)MaxFrameSize)
        {
            throw new FrameTooLargeException(length, MaxFrameSize);
        }

        _start += HeaderSize;
        return (int)length;
    }

    private ReadOnlyMemory<byte> Take(int length)
    {
        var frame = new ReadOnlyMemory<byte>(_buffer, _start, length);
        _start += length;
        return frame;
    }

    private int CopyBuffered(byte[] destination)
    {
        int have = Buffered;
        _buffer.AsSpan(_start, have).CopyTo(destination);
        _start = _end = 0;
        return have;
    }

    private ProtocolException Truncated(int length) =>
        new($"truncated frame: expected {length:N0} bytes, stream ended after {Buffered:N0}");

    /// <summary>Makes at least <paramref name="count"/> bytes available; false when the stream ended first.</summary>
    private async ValueTask<bool> FillAsync(int count, CancellationToken cancellationToken)
    {
        if (Buffered >= count)
        {
            return true;
        }

        Compact(count);
        while (Buffered < count)
        {
            int n = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return EndOfStream(count);
            }

            _end += n;
        }

        return true;
    }

    private bool Fill(int count)
    {
        if (Buffered >= count)
        {
            return true;
        }

        Compact(count);
        while (Buffered < count)
        {
            int n = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (n == 0)
            {
                return EndOfStream(count);
            }

            _end += n;
        }

        return true;
    }

    private void Compact(int count)
    {
        if (_buffer.Length - _start < count)
        {
            int have = Buffered;
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, have);
            _start = 0;
            _end = have;
        }
    }

    private bool EndOfStream(int wanted)
    {
        // A clean end is only possible exactly between frames.
        if (Buffered == 0 && wanted == HeaderSize)
        {
            return false;
        }

        if (wanted == HeaderSize)
        {
            throw new ProtocolException($"truncated frame: stream ended inside a {HeaderSize}-byte length prefix after {Buffered} bytes");
        }

        return false;
    }
}
