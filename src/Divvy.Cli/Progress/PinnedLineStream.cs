namespace Divvy.Cli.Progress;

/// <summary>
/// A write-only stream whose bytes appear above a <see cref="PinnedLine"/>, a whole line at a time.
/// Its partial line is kept here, guarded by the pinned line's lock.
/// </summary>
internal sealed class PinnedLineStream : Stream
{
    /// <summary>A partial line this long is shown without waiting any longer for its newline.</summary>
    internal const int MaxPending = 64 * 1024;

    private readonly PinnedLine _line;
    private byte[] _pending = new byte[256];
    private int _pendingCount;

    public PinnedLineStream(PinnedLine line, bool toStdout)
    {
        _line = line;
        ToStdout = toStdout;
    }

    public bool ToStdout { get; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    internal ReadOnlyMemory<byte> Pending => _pending.AsMemory(0, _pendingCount);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer) => _line.Write(this, buffer);

    /// <summary>Nothing to do: a partial line waits for its newline, or for the pinned line to close.</summary>
    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    internal void AddPending(ReadOnlySpan<byte> data)
    {
        if (_pendingCount + data.Length > _pending.Length)
        {
            Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingCount + data.Length));
        }

        data.CopyTo(_pending.AsSpan(_pendingCount));
        _pendingCount += data.Length;
    }

    internal void ClearPending() => _pendingCount = 0;
}
