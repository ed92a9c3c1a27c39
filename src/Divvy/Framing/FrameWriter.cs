using System.Buffers;
using System.Buffers.Binary;

namespace Divvy.Framing;

/// <summary>
/// Writes length-prefixed frames into a pending buffer and sends them to the stream on
/// <see cref="FlushAsync"/>, so a burst of small frames costs one write call.
/// </summary>
/// <remarks>Not thread-safe: one writer per stream.</remarks>
internal sealed class FrameWriter
{
    private const int InitialCapacity = 64 * 1024;

    private readonly Stream _stream;
    private readonly int _maxFrameSize;
    private ArrayBufferWriter<byte> _pending = new(InitialCapacity);
    private int _frameStart = -1;

    public FrameWriter(Stream stream, int maxFrameSize)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameSize, 1);
        _stream = stream;
        _maxFrameSize = maxFrameSize;
    }

    /// <summary>Bytes written into frames and not yet flushed.</summary>
    public int Pending => _pending.WrittenCount;

    /// <summary>Starts a frame; write its payload into the returned buffer, then call <see cref="EndFrame"/>.</summary>
    public IBufferWriter<byte> BeginFrame()
    {
        if (_frameStart >= 0)
        {
            throw new InvalidOperationException("a frame is already open");
        }

        _frameStart = _pending.WrittenCount;
        _pending.GetSpan(FrameReader.HeaderSize);
        _pending.Advance(FrameReader.HeaderSize);
        return _pending;
    }

    /// <summary>Closes the open frame by writing its length prefix.</summary>
    /// <exception cref="FrameTooLargeException">The payload exceeds the limit; the frame is discarded and nothing is sent.</exception>
    public void EndFrame()
    {
        int start = _frameStart;
        _frameStart = -1;
        int length = _pending.WrittenCount - start - FrameReader.HeaderSize;
        if (length > _maxFrameSize)
        {
            Truncate(start);
            throw new FrameTooLargeException(length, _maxFrameSize);
        }

        // ArrayBufferWriter exposes its written memory read-only; the header slot is ours to patch.
        var written = System.Runtime.InteropServices.MemoryMarshal.AsMemory(_pending.WrittenMemory);
        BinaryPrimitives.WriteUInt32BigEndian(written.Span.Slice(start, FrameReader.HeaderSize), (uint)length);
    }

    /// <summary>Where the open frame's next bytes go, to go on writing a frame begun earlier.</summary>
    public IBufferWriter<byte> OpenFrame => _frameStart < 0 ? throw new InvalidOperationException("no frame is open") : _pending;

    /// <summary>Bytes written into the open frame so far (its length prefix not counted).</summary>
    public int OpenFrameLength => _frameStart < 0 ? throw new InvalidOperationException("no frame is open") : _pending.WrittenCount - _frameStart - FrameReader.HeaderSize;

    /// <summary>Bytes of the open frame from <paramref name="offset"/>, to patch a header written before its contents were known.</summary>
    public Span<byte> OpenFrameBytes(int offset, int length)
    {
        var written = System.Runtime.InteropServices.MemoryMarshal.AsMemory(_pending.WrittenMemory);
        return written.Span.Slice(_frameStart + FrameReader.HeaderSize + offset, length);
    }

    /// <summary>Cuts the open frame back to its first <paramref name="length"/> bytes (a rare path: it copies what is kept).</summary>
    public void TruncateOpenFrame(int length)
    {
        int frameStart = _frameStart;
        Truncate(frameStart + FrameReader.HeaderSize + length);
        _frameStart = frameStart;
    }

    /// <summary>Drops an open frame, for a payload whose serialization failed half-way.</summary>
    public void AbortFrame()
    {
        if (_frameStart >= 0)
        {
            Truncate(_frameStart);
            _frameStart = -1;
        }
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_pending.WrittenCount == 0)
        {
            return;
        }

        await _stream.WriteAsync(_pending.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        Reset();
    }

    public void Flush()
    {
        if (_pending.WrittenCount == 0)
        {
            return;
        }

        _stream.Write(_pending.WrittenSpan);
        _stream.Flush();
        Reset();
    }

    private void Reset()
    {
        // Give a large buffer back rather than keeping a 10 MiB item's array alive for the run.
        if (_pending.Capacity > 16 * InitialCapacity)
        {
            _pending = new ArrayBufferWriter<byte>(InitialCapacity);
            return;
        }

        _pending.ResetWrittenCount();
    }

    private void Truncate(int length)
    {
        // ArrayBufferWriter cannot shrink its count, so rebuild it from the kept prefix.
        byte[] kept = _pending.WrittenSpan[..length].ToArray();
        _pending.ResetWrittenCount();
        _pending.Write(kept);
    }
}
