using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Divvy.Tests.Support;

namespace Divvy.Tests.Specs;

/// <summary>
/// The progress line on a real pseudo-terminal: <c>script</c> (util-linux, no install needed) gives
/// the divvy command a terminal and records every byte written to it; <see cref="TerminalScreen"/>
/// replays them to read the screen as a user would see it at the end.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ProgressSpecs
{
    private const int Columns = 80;
    private const int Rows = 60;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task On_a_terminal_every_ticket_line_stays_on_screen_above_the_progress_line_and_the_summary_follows()
    {
        Terminal run = await RunOnTerminalAsync($"dotnet {Quote(Artifacts.CliDll)} -n 5 {Quote(Artifacts.DancePartyDll)} 20");

        run.ExitCode.Should().Be(0, run.Describe());
        run.Raw.Should().Contain("\u001b[", "the progress line was drawn; {0}", run.Describe());
        IReadOnlyList<string> lines = run.Screen.Lines;
        int summary = lines.ToList().FindIndex(l => l.StartsWith("divvy: run completed: 20 dispatched, 20 succeeded", StringComparison.Ordinal));
        summary.Should().BePositive(run.Describe());
        string[] above = lines.Take(summary).Where(l => l.Length > 0).ToArray();
        above.Should().HaveCount(21, "the job's 21 lines and nothing else come before the summary, no progress line left between them; {0}", run.Describe());
        above[0].Should().Be("Generating 20 ticket codes");
        foreach (int ticket in Enumerable.Range(1, 20))
        {
            above.Should().ContainSingle(l => Regex.IsMatch(l, TicketLine(ticket)), "ticket {0} is on screen once; {1}", ticket, run.Describe());
        }

        lines.Skip(summary).Should().NotContain(l => l.Contains("in flight", StringComparison.Ordinal), "the progress line is cleared at the end; {0}", run.Describe());
    }

    [Fact]
    public async Task With_stdout_in_a_file_the_job_output_goes_to_the_file_untouched_and_the_terminal_shows_only_progress_and_summary()
    {
        string output = Path.GetTempFileName();
        try
        {
            Terminal run = await RunOnTerminalAsync($"dotnet {Quote(Artifacts.CliDll)} -n 3 {Quote(Artifacts.DancePartyDll)} 12 > {Quote(output)}");

            run.ExitCode.Should().Be(0, run.Describe());
            string[] written = await File.ReadAllLinesAsync(output);
            written.Should().HaveCount(13).And.Contain("Generating 12 ticket codes");
            foreach (int ticket in Enumerable.Range(1, 12))
            {
                written.Should().ContainSingle(l => Regex.IsMatch(l, TicketLine(ticket)));
            }

            run.Screen.Lines.Should().NotContain(l => l.Contains("Generating", StringComparison.Ordinal)).And.Contain(l => l.StartsWith("divvy: run completed: 12 dispatched", StringComparison.Ordinal));
            run.Screen.Lines.Should().NotContain(l => l.Contains("in flight", StringComparison.Ordinal), "the progress line is cleared at the end; {0}", run.Describe());
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public async Task Forced_progress_on_a_pipe_is_a_plain_line_without_escape_codes()
    {
        await using ProcessRun run = ProcessRun.DivvyCommand(["-n", "2", "--progress", .. ProcessRun.Job("SleepJob", "6", "200")]);

        (await run.WaitAsync()).Should().Be(0, run.AllStderr);

        run.Stderr.Should().Contain(l => l.StartsWith("divvy: progress: 6 done / 6 dispatched, 0 failed, 0 in flight", StringComparison.Ordinal), run.AllStderr);
        run.AllStderr.Should().NotContain("\u001b").And.NotContain("\r");
    }

    /// <summary>The line DanceParty prints for a ticket: pid, ticket number, SHA-1 of the number.</summary>
    private static string TicketLine(int ticket)
    {
        string code = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(ticket.ToString(CultureInfo.InvariantCulture))));
        return $"^ *[0-9]+ +{ticket} {code}$";
    }

    private static string Quote(string path) => "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// Runs a shell command on a fresh 80x60 pseudo-terminal and replays what it wrote. Whatever the
    /// outcome, the command's process tree is gone afterwards and no worker of its master survives.
    /// </summary>
    private static async Task<Terminal> RunOnTerminalAsync(string command)
    {
        string typescript = Path.GetTempFileName();
        string pidFile = Path.GetTempFileName();
        try
        {
            // exec keeps the shell's pid for divvy, so the pid file names the master.
            string inner = $"stty cols {Columns} rows {Rows}; echo $$ > {Quote(pidFile)}; exec {command}";
            int exitCode;
            await using (ProcessRun script = ProcessRun.Start("script", ["-qfec", inner, typescript], new Dictionary<string, string> { ["TERM"] = "xterm" }))
            {
                // On a timeout, disposing kills script's whole tree: the master and its workers are in it.
                exitCode = await script.WaitAsync(s_timeout);
            }

            int.TryParse((await File.ReadAllTextAsync(pidFile)).Trim(), out int master).Should().BeTrue("the command recorded its pid");
            (await WorkerCensus.WaitUntilNoneAsync(master, TimeSpan.FromSeconds(10))).Should().BeEmpty("no worker outlives its master");

            byte[] raw = await File.ReadAllBytesAsync(typescript);
            byte[] session = Session(raw);
            return new Terminal(exitCode, Encoding.UTF8.GetString(session), TerminalScreen.Replay(session, Columns, Rows));
        }
        finally
        {
            File.Delete(typescript);
            File.Delete(pidFile);
        }
    }

    /// <summary>The typescript without the "Script started" header line and the "Script done" trailer.</summary>
    private static byte[] Session(byte[] typescript)
    {
        int start = typescript.AsSpan().StartsWith("Script started"u8) ? typescript.AsSpan().IndexOf((byte)'\n') + 1 : 0;
        int end = typescript.AsSpan().LastIndexOf("\nScript done"u8);
        return typescript[start..(end >= start ? end + 1 : typescript.Length)];
    }

    private sealed record Terminal(int ExitCode, string Raw, TerminalScreen Screen)
    {
        public string Describe() => $"screen:\n{string.Join("\n", Screen.Lines)}\nraw:\n{Raw.Replace("\u001b", "\\e", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal)}";
    }
}
