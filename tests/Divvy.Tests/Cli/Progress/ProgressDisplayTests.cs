using System.IO.Pipes;
using System.Text;
using Divvy.Cli.Progress;
using Divvy.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Divvy.Tests.Cli.Progress;

public sealed class ProgressDisplayTests
{
    private static readonly RunProgress s_progress = new(Dispatched: 1_234_567_890, Succeeded: 1_000_000_000, Failed: 7, InFlight: 1024, WorkersAlive: 1024, WorkersTarget: 1024, Elapsed: TimeSpan.FromHours(30));

    [Fact]
    public async Task Forced_on_a_non_terminal_it_writes_plain_lines_every_few_seconds_without_escape_codes_or_carriage_returns()
    {
        var clock = new FakeTimeProvider();
        var text = new StringWriter();
        TextWriter output = TextWriter.Synchronized(text);
        long settled = 0;

        await using (ProgressDisplay display = ProgressDisplay.Plain(() => s_progress with { Succeeded = Interlocked.Read(ref settled) }, output, clock))
        {
            for (int tick = 1; tick <= 3; tick++)
            {
                Interlocked.Exchange(ref settled, tick * 10);
                await WaitForLinesAsync(text, tick, clock, ProgressDisplay.PlainInterval);
            }
        }

        string written = text.ToString();
        written.Should().NotContain("\u001b").And.NotContain("\r");
        string[] lines = written.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCountGreaterThanOrEqualTo(4, "one line per interval and one at the end").And.OnlyContain(l => l.StartsWith(ProgressDisplay.PlainPrefix));
        lines[0].Should().StartWith("divvy: progress: 17 done / 1,234,567,890 dispatched, 7 failed, 1,024 in flight, 1024/1024 workers");
        lines[^1].Should().StartWith("divvy: progress: 37 done / ", "the last line is written at the end");
    }

    [Fact]
    public void The_plain_interval_is_a_few_seconds()
    {
        ProgressDisplay.PlainInterval.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(2)).And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Pinned_at_80_columns_the_line_fits_in_79_and_is_cleared_at_the_end()
    {
        var terminal = new MemoryStream();
        var line = new PinnedLine(terminal, terminal);
        Stream output = line.CreateStream(toStdout: true);
        var clock = new FakeTimeProvider();

        await using (ProgressDisplay.Pinned(() => s_progress, line, columns: 80, clock))
        {
            output.Write("job line\n"u8);
            await WaitUntilAsync(() => Encoding.UTF8.GetString(terminal.ToArray()).Contains("done", StringComparison.Ordinal));
            string drawn = TerminalScreen.Replay(terminal.ToArray(), 80, 24, newlineReturns: true).Lines[^1];
            drawn.Should().StartWith("1,000,000,007/1,234,567,890 done");
            drawn.Length.Should().BeLessThanOrEqualTo(79);
        }

        TerminalScreen.Replay(terminal.ToArray(), 80, 24, newlineReturns: true).Lines.Should().Equal("job line");
    }

    [Fact]
    public async Task Drawing_on_the_terminal_never_waits_for_the_Console_Out_lock()
    {
        // While pinned, Console.Out is a synchronized writer whose lock is held by a thread waiting
        // for the pinned line; the line's own writes must not need that lock in turn.
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.None);
        using var client = new AnonymousPipeClientStream(PipeDirection.Out, pipe.ClientSafePipeHandle);
        using Stream terminal = ProgressDisplay.OpenTerminal((int)client.SafePipeHandle.DangerousGetHandle());
        using var held = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        Task holder = Task.Factory.StartNew(
            () =>
            {
                lock (Console.Out)
                {
                    held.Set();
                    release.Wait();
                }
            },
            TaskCreationOptions.LongRunning);
        held.Wait();
        try
        {
            Task write = Task.Run(() => terminal.Write("x"u8));
            (await Task.WhenAny(write, Task.Delay(TimeSpan.FromSeconds(30)))).Should().BeSameAs(write, "the write must not wait for the Console.Out lock");
        }
        finally
        {
            release.Set();
            await holder;
        }

        pipe.ReadByte().Should().Be('x');
    }

    private static async Task WaitForLinesAsync(StringWriter text, int count, FakeTimeProvider clock, TimeSpan interval)
    {
        // The display waits on the fake clock; advance it until the next line appears.
        await WaitUntilAsync(() =>
        {
            if (Lines(text) >= count)
            {
                return true;
            }

            clock.Advance(interval);
            return Lines(text) >= count;
        });
    }

    private static int Lines(StringWriter text)
    {
        lock (text)
        {
            return text.ToString().Count(c => c == '\n');
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(deadline);
            await Task.Delay(10);
        }
    }
}
