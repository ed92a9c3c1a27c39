using System.Text;
using Divvy.Launching;

namespace Divvy.Tests.Launching;

public sealed class LineForwarderTests
{
    [Fact]
    public async Task Only_whole_lines_are_passed_on_and_the_unfinished_last_line_gets_a_newline_at_the_end()
    {
        var sink = new RecordingStream();

        await LineForwarder.PumpAsync(new ChunkedStream("one\ntw", "o\nthr", "ee\nfour"), sink);

        sink.Writes.Should().Equal("one\n", "two\n", "three\n", "four\n");
    }

    [Fact]
    public async Task A_line_longer_than_the_limit_is_passed_on_in_pieces()
    {
        var sink = new RecordingStream();
        string huge = new('x', LineForwarder.MaxLineLength + 10);

        await LineForwarder.PumpAsync(new ChunkedStream(huge, "\n"), sink);

        string.Concat(sink.Writes).Should().Be(huge[..LineForwarder.MaxLineLength] + "\n" + huge[LineForwarder.MaxLineLength..] + "\n");
        sink.Writes.Should().OnlyContain(w => w.EndsWith('\n'));
    }

    [Fact]
    public async Task Nothing_in_nothing_out()
    {
        var sink = new RecordingStream();

        await LineForwarder.PumpAsync(new ChunkedStream(), sink);

        sink.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task When_the_sink_breaks_the_rest_is_read_and_dropped_so_the_worker_never_blocks()
    {
        var source = new ChunkedStream("one\n", "two\n", "three\n");

        await LineForwarder.PumpAsync(source, new BrokenStream());

        source.Drained.Should().BeTrue();
    }

    /// <summary>Returns each chunk from a separate read, as a pipe would.</summary>
    private sealed class ChunkedStream(params string[] chunks) : Stream
    {
        private readonly Queue<byte[]> _chunks = new(chunks.Select(Encoding.UTF8.GetBytes));
        private byte[] _current = [];
        private int _offset;

        public bool Drained => _chunks.Count == 0 && _offset == _current.Length;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_offset == _current.Length)
            {
                if (!_chunks.TryDequeue(out byte[]? next))
                {
                    return 0;
                }

                _current = next;
                _offset = 0;
            }

            int n = Math.Min(count, _current.Length - _offset);
            Array.Copy(_current, _offset, buffer, offset, n);
            _offset += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class BrokenStream : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("Input/output error");

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    private sealed class RecordingStream : Stream
    {
        public List<string> Writes { get; } = [];

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Writes.Add(Encoding.UTF8.GetString(buffer, offset, count));

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
