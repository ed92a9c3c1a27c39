namespace Divvy.Tests.Support;

/// <summary>A write-only stream that passes every write on and remembers how big each one was.</summary>
internal sealed class WriteRecordingStream(Stream inner) : Stream
{
    private readonly List<int> _writes = [];

    /// <summary>The size of every write so far, in order. Safe to read from another thread.</summary>
    public IReadOnlyList<int> Writes
    {
        get
        {
            lock (_writes)
            {
                return [.. _writes];
            }
        }
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_writes)
        {
            _writes.Add(buffer.Length);
        }

        inner.Write(buffer);
    }

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
