using System.Buffers;
using System.Buffers.Binary;
using Divvy.Framing;

namespace Divvy.Protocol;

/// <summary>
/// Writes a worker's results into one Results frame until <see cref="Close"/>: each result's value
/// is serialized straight into the open frame (no copy, no message object), and the frame's header,
/// written first with room for any count, is patched when it closes. A result that would push the
/// frame past the limit starts a new frame; one too big for any frame fails alone.
/// </summary>
/// <remarks>Not thread-safe: the caller holds the lock that guards its <see cref="FrameWriter"/>.</remarks>
internal sealed class ResultBatchWriter
{
    // array32 (0xdd + 4 bytes), the kind as a positive fixint, the count as uint32 (0xce + 4 bytes):
    // fixed widths, so the header can be patched in place. Readers accept any width.
    private const int HeaderSize = 11;

    private readonly FrameWriter _frames;
    private readonly int _maxFrameSize;
    private int _count;
    private int _entryStart = -1;
    private bool _open;

    public ResultBatchWriter(FrameWriter frames, int maxFrameSize)
    {
        _frames = frames;
        _maxFrameSize = maxFrameSize;
    }

    /// <summary>Results in the open frame.</summary>
    public int Count => _count;

    /// <summary>Bytes in the open frame so far (0 when none is open).</summary>
    public int OpenBytes => _open ? _frames.OpenFrameLength : 0;

    /// <summary>
    /// Starts one result: writes its id and duration. Write the result's MessagePack value into the
    /// returned buffer, then call <see cref="EndResult"/>, or <see cref="AbortResult"/> if that failed.
    /// </summary>
    public IBufferWriter<byte> BeginResult(long id, long elapsedTicks)
    {
        IBufferWriter<byte> output = _open ? _frames.OpenFrame : Open();

        _entryStart = _frames.OpenFrameLength;
        MessageCodec.WriteResultEntry(output, id, elapsedTicks);
        return output;
    }

    /// <summary>Keeps the result just written.</summary>
    /// <exception cref="FrameTooLargeException">The result alone is over the frame limit: it is dropped, the others stay.</exception>
    public void EndResult()
    {
        int start = _entryStart;
        _entryStart = -1;
        int length = _frames.OpenFrameLength;
        if (length <= _maxFrameSize)
        {
            _count++;
            return;
        }

        int entryLength = length - start;
        if (HeaderSize + entryLength > _maxFrameSize)
        {
            DropFrom(start);
            throw new FrameTooLargeException(entryLength, _maxFrameSize);
        }

        // It fits in a frame of its own: close the others' frame without it, and start the next with it.
        byte[] entry = _frames.OpenFrameBytes(start, entryLength).ToArray();
        _frames.TruncateOpenFrame(start);
        Close();
        Open().Write(entry);
        _count = 1;
    }

    /// <summary>Drops the result being written (its value could not be serialized); the others stay.</summary>
    public void AbortResult()
    {
        int start = _entryStart;
        _entryStart = -1;
        DropFrom(start);
    }

    /// <summary>Closes the open frame, if any, so that it goes out with the next flush.</summary>
    public void Close()
    {
        if (!_open)
        {
            return;
        }

        Span<byte> header = _frames.OpenFrameBytes(0, HeaderSize);
        header[0] = 0xdd;
        BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)(2 + (3 * _count)));
        header[5] = (byte)MessageKind.Results;
        header[6] = 0xce;
        BinaryPrimitives.WriteUInt32BigEndian(header[7..], (uint)_count);
        _frames.EndFrame();
        _open = false;
        _count = 0;
    }

    /// <summary>Begins a Results frame with room for its header, patched by <see cref="Close"/>.</summary>
    private IBufferWriter<byte> Open()
    {
        IBufferWriter<byte> output = _frames.BeginFrame();
        output.GetSpan(HeaderSize);
        output.Advance(HeaderSize);
        _open = true;
        return output;
    }

    private void DropFrom(int start)
    {
        if (_count == 0)
        {
            // Nothing else in the frame: drop it whole.
            _frames.AbortFrame();
            _open = false;
            return;
        }

        _frames.TruncateOpenFrame(start);
    }
}
