using System.Text;
using Divvy.Cli.Exec;

namespace Divvy.Tests.Cli.Exec;

public sealed class OutputCaptureTests
{
    [Fact]
    public async Task Small_output_stays_in_memory()
    {
        using var capture = new OutputCapture(memoryLimit: 1024);

        await capture.PumpAsync(new MemoryStream(Encoding.UTF8.GetBytes("hello\n")), null, null, default);

        CapturedOutput output = capture.Result();
        output.Text.Should().Be("hello\n");
        output.SpillFile.Should().BeNull();
    }

    [Fact]
    public async Task Output_past_the_limit_spills_to_a_file_and_reads_back_whole()
    {
        string text = string.Concat(Enumerable.Range(0, 5000).Select(i => $"line {i}\n"));
        CapturedOutput output;
        using (var capture = new OutputCapture(memoryLimit: 1024))
        {
            await capture.PumpAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), null, null, default);
            output = capture.Result();
        }

        output.SpillFile.Should().NotBeNull();
        output.Length.Should().Be(text.Length);
        output.ReadAll().Should().Be(text);
        output.Lines().Should().HaveCount(5000).And.EndWith("line 4999");
        var copy = new StringWriter();
        output.CopyTo(copy);
        copy.ToString().Should().Be(text);

        output.Delete();
        File.Exists(output.SpillFile).Should().BeFalse();
    }

    [Fact]
    public async Task Tagged_output_is_streamed_line_by_line_and_not_kept()
    {
        using var capture = new OutputCapture(memoryLimit: 1024);
        var live = new StringWriter();

        await capture.PumpAsync(new MemoryStream(Encoding.UTF8.GetBytes("a\nb\n")), "[t] ", live, default);

        live.ToString().Should().Be("[t] a\n[t] b\n");
        capture.Result().Text.Should().BeEmpty();
    }
}
