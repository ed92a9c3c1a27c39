using System.Text;
using Divvy.Cli.Progress;
using Divvy.Tests.Support;

namespace Divvy.Tests.Cli.Progress;

public sealed class PinnedLineTests
{
    // One stream for both: stdout and stderr are the same terminal.
    private readonly MemoryStream _terminal = new();
    private readonly PinnedLine _line;

    public PinnedLineTests()
    {
        _line = new PinnedLine(_terminal, _terminal);
    }

    private TerminalScreen Screen => TerminalScreen.Replay(_terminal.ToArray(), 80, 24, newlineReturns: true);

    [Fact]
    public void Output_scrolls_above_the_line_which_stays_at_the_bottom()
    {
        Stream workers = _line.CreateStream(toStdout: true);
        _line.Show("0/3 done");
        Write(workers, "one\n");
        _line.Show("1/3 done");
        Write(workers, "two\nthree\n");
        _line.Show("3/3 done");

        Screen.Lines.Should().Equal("one", "two", "three", "3/3 done");
    }

    [Fact]
    public void A_partial_line_waits_for_its_newline_so_the_line_is_never_drawn_after_it()
    {
        Stream master = _line.CreateStream(toStdout: true);
        _line.Show("working");
        Write(master, "Generating ");
        Screen.Lines.Should().Equal("working");

        Write(master, "20 tickets\nand ");
        Screen.Lines.Should().Equal("Generating 20 tickets", "working");
    }

    [Fact]
    public void Closing_clears_the_line_flushes_partial_lines_and_lets_later_writes_through()
    {
        Stream output = _line.CreateStream(toStdout: true);
        Stream error = _line.CreateStream(toStdout: false);
        _line.Show("5/5 done, 0 failed");
        Write(output, "last line\nno newline");

        _line.Close();
        Write(error, "\ndivvy: run completed\n");

        Screen.Lines.Should().Equal("last line", "no newline", "divvy: run completed");
    }

    [Fact]
    public void Stdout_and_stderr_lines_each_go_to_their_own_stream_and_the_line_to_stderr()
    {
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        var line = new PinnedLine(stdout, stderr);
        Stream output = line.CreateStream(toStdout: true);
        Stream error = line.CreateStream(toStdout: false);

        line.Show("status");
        Write(output, "job line\n");
        Write(error, "worker warning\n");
        line.Close();

        Encoding.UTF8.GetString(stdout.ToArray()).Should().Be("job line\n");
        Encoding.UTF8.GetString(stderr.ToArray()).Should().Be("\rstatus\u001b[K\r\u001b[K\rstatus\u001b[K\r\u001b[Kworker warning\n\rstatus\u001b[K\r\u001b[K");
    }

    [Fact]
    public void Without_a_line_drawn_output_passes_through_unchanged()
    {
        Stream output = _line.CreateStream(toStdout: true);
        Write(output, "a\nb\n");

        Encoding.UTF8.GetString(_terminal.ToArray()).Should().Be("a\nb\n");
    }

    private static void Write(Stream stream, string text) => stream.Write(Encoding.UTF8.GetBytes(text));
}
