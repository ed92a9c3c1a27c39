using System.Text;
using Divvy.Client;
using Divvy.Tests.Support;

namespace Divvy.Tests.Specs;

/// <summary>
/// <c>divvy serve</c> with real processes and a real Unix socket: commands stream, take stdin to
/// its end, get signals, die with their group at a timeout or a disconnect, and a full server says
/// busy at once.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed partial class ServeSpecs
{
    [Fact]
    public async Task A_command_that_prints_a_line_every_100_ms_is_seen_line_by_line_while_it_runs()
    {
        await using ServeServerRun server = await ServeServerRun.StartAsync("-n", "2");
        await using DivvyClient client = await server.ConnectAsync();
        await using RemoteProcess process = await client.StartAsync(RemoteStartInfo.ShellLine("for i in 1 2 3 4 5; do echo line $i; sleep 0.1; done"));
        using var lines = new StreamReader(process.StandardOutput, Encoding.UTF8);
        Task<RemoteExitStatus> exit = process.WaitForExitAsync();

        string? first = await lines.ReadLineAsync();

        first.Should().Be("line 1");
        exit.IsCompleted.Should().BeFalse("the first line arrived while the command still ran: output is not held until the end");
        (await lines.ReadToEndAsync()).Should().Be("line 2\nline 3\nline 4\nline 5\n");
        (await exit).Should().Match<RemoteExitStatus>(s => s.Reason == "exited" && s.ExitCode == 0);
    }

    [Fact]
    public async Task A_command_reads_stdin_to_its_end_when_the_client_closes_it_and_a_command_that_stops_reading_early_harms_nothing()
    {
        await using ServeServerRun server = await ServeServerRun.StartAsync("-n", "2");
        await using DivvyClient client = await server.ConnectAsync();

        await using RemoteProcess cat = await client.StartAsync(new RemoteStartInfo("cat"));
        (string stdout, _) = await cat.CommunicateAsync("first\nsecond\n");
        stdout.Should().Be("first\nsecond\n");
        (await cat.WaitForExitAsync()).ExitCode.Should().Be(0, "cat saw end-of-file only when the client closed stdin");

        await using RemoteProcess head = await client.StartAsync(new RemoteStartInfo("head", ["-c", "5"]));
        (string five, _) = await head.CommunicateAsync(new string('x', 1_000_000));
        five.Should().Be("xxxxx");
        (await head.WaitForExitAsync()).ExitCode.Should().Be(0);

        RemoteTextOutput after = await client.RunAndCaptureTextAsync("echo", ["still serving"]);
        after.StandardOutput.Should().Be("still serving\n");
    }

    [Fact]
    public async Task A_signal_from_the_client_reaches_the_commands_trap_while_it_runs()
    {
        await using ServeServerRun server = await ServeServerRun.StartAsync("-n", "1");
        await using DivvyClient client = await server.ConnectAsync();
        await using RemoteProcess process = await client.StartAsync(RemoteStartInfo.ShellLine("trap 'echo got INT; exit 7' INT; echo ready; while :; do sleep 0.05; done"));
        using var lines = new StreamReader(process.StandardOutput, Encoding.UTF8);
        (await lines.ReadLineAsync()).Should().Be("ready");

        await process.SignalAsync("INT");

        (await lines.ReadLineAsync()).Should().Be("got INT");
        (await process.WaitForExitAsync()).Should().Match<RemoteExitStatus>(s => s.Reason == "exited" && s.ExitCode == 7);

        await using RemoteProcess killed = await client.StartAsync(RemoteStartInfo.ShellLine("echo ready; exec sleep 100"));
        using var ready = new StreamReader(killed.StandardOutput, Encoding.UTF8);
        (await ready.ReadLineAsync()).Should().Be("ready");
        await killed.SignalAsync("TERM");
        RemoteExitStatus status = await killed.WaitForExitAsync();
        status.Should().Match<RemoteExitStatus>(s => s.Reason == "signaled" && s.Signal == "TERM" && s.ExitCode == null);
        status.ShellExitCode.Should().Be(143);
    }

    [Fact]
    public async Task A_timeout_ends_the_commands_whole_process_group_grandchildren_included()
    {
        await using ServeServerRun server = await ServeServerRun.StartAsync("-n", "1");
        await using DivvyClient client = await server.ConnectAsync();
        await using RemoteProcess process = await client.StartAsync(new RemoteStartInfo("sh", ["-c", "sleep 100 & echo $!; sleep 100"]) { Timeout = TimeSpan.FromMilliseconds(300), KillGrace = TimeSpan.FromMilliseconds(200) });
        using var lines = new StreamReader(process.StandardOutput, Encoding.UTF8);
        int grandchild = int.Parse((await lines.ReadLineAsync())!);

        RemoteExitStatus status = await process.WaitForExitAsync();

        status.Reason.Should().Be("timeout");
        (await GoneAsync(grandchild)).Should().BeTrue("the background sleep was in the command's group");
    }

    [Fact]
    public async Task A_client_that_disconnects_takes_its_running_command_with_it()
    {
        await using ServeServerRun server = await ServeServerRun.StartAsync("-n", "2");
        DivvyClient client = await server.ConnectAsync();
        RemoteProcess process = await client.StartAsync(RemoteStartInfo.ShellLine("sleep 100 & echo $!; echo $$; wait"));
        using var lines = new StreamReader(process.StandardOutput, Encoding.UTF8);
        int[] pids = [int.Parse((await lines.ReadLineAsync())!), int.Parse((await lines.ReadLineAsync())!)];

        await client.DisposeAsync();

        foreach (int pid in pids)
        {
            (await GoneAsync(pid)).Should().BeTrue($"pid {pid} belonged to a command whose client went away");
        }

        await using DivvyClient next = await server.ConnectAsync();
        int busy = -1;
        for (int i = 0; i < 100 && busy != 0; i++)
        {
            busy = (await next.StatusAsync())["busy"]!.GetValue<int>();
            await Task.Delay(busy == 0 ? 0 : 50);
        }

        busy.Should().Be(0, "its slot is free again once its group is reaped");
    }

    [Fact]
    public async Task A_full_server_answers_busy_at_once_instead_of_keeping_the_client_waiting()
    {
        await using ServeServerRun server = await ServeServerRun.StartAsync("-n", "1", "--max-queue", "1");
        await using DivvyClient client = await server.ConnectAsync();
        await using RemoteProcess running = await client.StartAsync(new RemoteStartInfo("sleep", ["30"]) { RedirectStandardInput = false });
        await running.Started;
        await using RemoteProcess waiting = await client.StartAsync(new RemoteStartInfo("true") { RedirectStandardInput = false });

        await using RemoteProcess third = await client.StartAsync(new RemoteStartInfo("true") { RedirectStandardInput = false });

        (await third.Invoking(p => p.WaitForExitAsync()).Should().ThrowAsync<ServeException>()).Which.Code.Should().Be("busy");
        waiting.Started.IsCompleted.Should().BeFalse("the one that fits in the queue waits for the slot");
        await running.KillAsync();
        (await waiting.WaitForExitAsync()).ExitCode.Should().Be(0, "it ran once the slot was free");
    }

    [Fact]
    public async Task A_hundred_clients_at_once_on_four_slots_all_get_their_own_answer()
    {
        await using ServeServerRun server = await ServeServerRun.StartAsync("-n", "4");

        string[] answers = await Task.WhenAll(Enumerable.Range(1, 100).Select(async i =>
        {
            await using DivvyClient client = await server.ConnectAsync();
            RemoteTextOutput output = await client.RunAndCaptureTextAsync("sh", ["-c", $"echo {i}; echo err{i} >&2"]);
            return $"{output.StandardOutput.Trim()} {output.StandardError.Trim()} {output.ExitStatus.ExitCode}";
        }));

        answers.Should().Equal(Enumerable.Range(1, 100).Select(i => $"{i} err{i} 0"));
        await using DivvyClient status = await server.ConnectAsync();
        (await status.StatusAsync())["served"]!.GetValue<long>().Should().Be(100);
    }

    [Fact]
    public async Task Output_a_client_does_not_read_holds_the_command_back_instead_of_filling_the_servers_memory()
    {
        await using ServeServerRun server = await ServeServerRun.StartAsync("-n", "1");
        await using DivvyClient client = await server.ConnectAsync();
        long before = ResidentKiB(server.Server.Pid);
        await using RemoteProcess flood = await client.StartAsync(new RemoteStartInfo("sh", ["-c", "head -c 300000000 /dev/zero; echo wrote-it-all >&2"]) { RedirectStandardInput = false });
        await flood.Started;

        // Nothing read for a while: the command fills the pipes and socket buffers, then waits.
        await Task.Delay(TimeSpan.FromSeconds(2));
        long held = ResidentKiB(server.Server.Pid) - before;
        long total = 0;
        byte[] buffer = new byte[1 << 16];
        int read;
        while ((read = await flood.StandardOutput.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        held.Should().BeLessThan(64 * 1024, "300 MB the client had not read must not sit in the server (KiB)");
        total.Should().Be(300_000_000, "once read, every byte arrived");
        (await new StreamReader(flood.StandardError).ReadToEndAsync()).Should().Be("wrote-it-all\n");
    }

    private static long ResidentKiB(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);

    /// <summary>Whether the process is gone (or a zombie) within 10 s.</summary>
    private static async Task<bool> GoneAsync(int pid)
    {
        for (int i = 0; i < 200; i++)
        {
            string stat = $"/proc/{pid}/stat";
            if (!File.Exists(stat) || File.ReadAllText(stat).Split(") ")[^1].StartsWith('Z'))
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }
}
