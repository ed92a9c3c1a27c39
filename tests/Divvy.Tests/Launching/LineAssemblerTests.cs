using System.Text;
using Divvy.Launching;

namespace Divvy.Tests.Launching;

public sealed class LineAssemblerTests
{
    public static TheoryData<string[], string[]> Chunks => new()
    {
        { ["one\n"], ["one\n"] },
        { ["one\ntwo\n"], ["one\ntwo\n"] },
        { ["one\ntw", "o\nthr", "ee\nfour"], ["one\n", "two\n", "three\n", "four\n"] },
        { ["o", "n", "e", "\n"], ["one\n"] },
        { ["\n\n"], ["\n\n"] },
        { ["half", "\nwhole\nhalf again"], ["half\n", "whole\n", "half again\n"] },
        { [], [] },
        { ["", ""], [] },
    };

    [Theory]
    [MemberData(nameof(Chunks))]
    public void Chunks_of_any_size_come_out_as_whole_lines_and_the_unfinished_last_line_gets_a_newline(string[] chunks, string[] passed)
    {
        var calls = new List<string>();
        var lines = new LineAssembler(bytes => calls.Add(Encoding.UTF8.GetString(bytes)));

        foreach (string chunk in chunks)
        {
            lines.Append(Encoding.UTF8.GetBytes(chunk));
        }

        lines.Complete();

        calls.Should().Equal(passed);
    }

    [Fact]
    public void A_line_longer_than_the_limit_is_passed_on_in_pieces_as_a_local_workers_stdout_is()
    {
        var calls = new List<string>();
        var lines = new LineAssembler(bytes => calls.Add(Encoding.UTF8.GetString(bytes)));
        string huge = new('x', LineForwarder.MaxLineLength + 10);

        lines.Append(Encoding.UTF8.GetBytes(huge[..1000]));
        lines.Append(Encoding.UTF8.GetBytes(huge[1000..] + "\n"));

        calls.Should().Equal(huge[..LineForwarder.MaxLineLength] + "\n", huge[LineForwarder.MaxLineLength..] + "\n");
    }
}
