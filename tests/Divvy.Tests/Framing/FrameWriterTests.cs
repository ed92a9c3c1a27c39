using System.Buffers;
using Divvy.Framing;

namespace Divvy.Tests.Framing;

public sealed class FrameWriterTests
{
    [Fact]
    public void Frames_are_held_until_flush_and_then_written_in_one_go()
    {
        var stream = new MemoryStream();
        var writer = new FrameWriter(stream, 1024);

        writer.BeginFrame().Write(new byte[] { 1, 2, 3 });
        writer.EndFrame();

        stream.Length.Should().Be(0);
        writer.Pending.Should().Be(7);
        writer.Flush();
        stream.ToArray().Should().Equal(0, 0, 0, 3, 1, 2, 3);
        writer.Pending.Should().Be(0);
    }

    [Fact]
    public void An_oversized_frame_is_refused_and_discarded_without_harming_the_frames_before_it()
    {
        var stream = new MemoryStream();
        var writer = new FrameWriter(stream, 16);
        writer.BeginFrame().Write(new byte[] { 9 });
        writer.EndFrame();

        writer.BeginFrame().Write(new byte[17]);
        writer.Invoking(w => w.EndFrame()).Should().Throw<FrameTooLargeException>().Which.Size.Should().Be(17);

        writer.Flush();
        stream.ToArray().Should().Equal(0, 0, 0, 1, 9);
    }

    [Fact]
    public void An_aborted_frame_leaves_no_trace()
    {
        var stream = new MemoryStream();
        var writer = new FrameWriter(stream, 1024);
        writer.BeginFrame().Write(new byte[] { 5, 5 });
        writer.AbortFrame();
        writer.BeginFrame().Write(new byte[] { 6 });
        writer.EndFrame();
        writer.Flush();

        stream.ToArray().Should().Equal(0, 0, 0, 1, 6);
    }

    [Fact]
    public void Two_open_frames_at_once_are_a_programming_error()
    {
        var writer = new FrameWriter(new MemoryStream(), 1024);
        writer.BeginFrame();

        writer.Invoking(w => w.BeginFrame()).Should().Throw<InvalidOperationException>();
    }
}
