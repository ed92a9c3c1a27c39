using System.Text;
using Divvy.Launching;
using Divvy.Protocol;

namespace Divvy.Tests.Launching;

public sealed class RemoteWorkerOutputTests
{
    [Fact]
    public void Stdout_goes_on_in_whole_lines_and_stderr_line_by_line_with_no_prefix_and_its_tail_kept()
    {
        var stdout = new MemoryStream();
        var stderr = new StringWriter { NewLine = "\n" };
        var output = new RemoteWorkerOutput(stdout, stderr);

        output.Write(Piece(StandardStream.Output, "result one\nresult t"));
        output.Write(Piece(StandardStream.Error, "warning: slow\r\nerror: "));
        stdout.ToArray().Should().Equal(Encoding.UTF8.GetBytes("result one\n"), "half a line waits for its end");
        output.Write(Piece(StandardStream.Output, "wo\n"));
        output.Write(Piece(StandardStream.Error, "disk full"));
        output.Complete();

        Encoding.UTF8.GetString(stdout.ToArray()).Should().Be("result one\nresult two\n");
        stderr.ToString().Should().Be("warning: slow\nerror: disk full\n");
        output.Tail.Snapshot().Should().Equal("warning: slow", "error: disk full");
    }

    [Fact]
    public void The_tail_keeps_the_last_twenty_stderr_lines()
    {
        var output = new RemoteWorkerOutput(new MemoryStream(), TextWriter.Null);

        output.Write(Piece(StandardStream.Error, string.Concat(Enumerable.Range(1, 30).Select(i => $"line {i}\n"))));

        output.Tail.Snapshot().Should().Equal(Enumerable.Range(11, 20).Select(i => $"line {i}"));
    }

    [Fact]
    public void A_closed_stdout_drops_the_rest_and_stderr_still_goes_on()
    {
        var stdout = new MemoryStream();
        var stderr = new StringWriter { NewLine = "\n" };
        var output = new RemoteWorkerOutput(stdout, stderr);
        stdout.Dispose();

        output.Write(Piece(StandardStream.Output, "lost\n"));
        output.Write(Piece(StandardStream.Error, "kept\n"));

        stderr.ToString().Should().Be("kept\n");
    }

    private static OutputMessage Piece(StandardStream stream, string text) => new(stream, Encoding.UTF8.GetBytes(text));
}
