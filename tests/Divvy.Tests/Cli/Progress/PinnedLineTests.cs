using System.Text;
using Divvy.Cli.Progress;
using Divvy.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Divvy.Tests.Cli.Progress;

public sealed class PinnedLineTests
{
    // One stream for both: stdout and stderr are the same terminal.
    private readonly MemoryStream _terminal = new();
    private readonly FakeTimeProvider _clock = new();
    private readonly PinnedLine _line;

    public PinnedLineTests()
    {
        _line = new PinnedLine(_terminal, _terminal, _clock);
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
    public void In_a_flood_of_output_the_line_is_erased_once_and_redrawn_only_now_and_then()
    {
        Stream output = _line.CreateStream(toStdout: true);
        _line.Show("busy");
        int before = Count(EraseBytes);

        for (int i = 0; i < 100; i++)
        {
            Write(output, $"line {i}\n");
        }

        Count(EraseBytes).Should().Be(before + 2, "erased for the first line, redrawn at once after it, erased again for the second, then left off");
        Screen.Lines[^1].Should().Be("line 99");

        _clock.Advance(PinnedLine.RedrawAfterOutput);
        Write(output, "line 100\n");
        Screen.Lines.Should().HaveCount(102).And.EndWith(["line 100", "busy"]);

        Write(output, "line 101\n");
        _line.Show("busy");
        Screen.Lines[^1].Should().Be("busy", "the next redraw brings it back");
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
        var line = new PinnedLine(stdout, stderr, new FakeTimeProvider());
        Stream output = line.CreateStream(toStdout: true);
        Stream error = line.CreateStream(toStdout: false);

        line.Show("status");
        Write(output, "job line\n");
        Write(error, "worker warning\n");
        line.Close();

        Encoding.UTF8.GetString(stdout.ToArray()).Should().Be("job line\n");
        Encoding.UTF8.GetString(stderr.ToArray()).Should().Be("\rstatus\u001b[K\r\u001b[K\rstatus\u001b[K\r\u001b[Kworker warning\n", "drawn, erased for the job line, drawn again, erased for the warning, left off (too soon), nothing to clear at the end");
    }

    [Fact]
    public void Without_a_line_drawn_output_passes_through_unchanged()
    {
        Stream output = _line.CreateStream(toStdout: true);
        Write(output, "a\nb\n");

        Encoding.UTF8.GetString(_terminal.ToArray()).Should().Be("a\nb\n");
    }

    private const string EraseBytes = "\r\u001b[K";

    private int Count(string what)
    {
        string written = Encoding.UTF8.GetString(_terminal.ToArray());
        int count = 0;
        for (int at = written.IndexOf(what, StringComparison.Ordinal); at >= 0; at = written.IndexOf(what, at + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static void Write(Stream stream, string text) => stream.Write(Encoding.UTF8.GetBytes(text));
}
