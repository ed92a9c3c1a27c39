using System.Text.Json;
using MessagePack;
using Divvy.Tests.Support;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary>divvy replay, Replay from code, and divvy exec with a journal.</summary>
public sealed partial class JournalSpecs
{
    [Fact]
    public async Task Replay_lists_the_failed_items_and_performs_one_in_process_with_its_real_stack()
    {
        await using (ProcessRun run = DivvyCommand(["-n", "2", "--journal", JournalPath, .. Job("JournalJob", "6", "0", "3", "keyed")]))
        {
            (await run.WaitAsync()).Should().Be(1);
        }

        await using (ProcessRun list = DivvyCommand("replay", "--journal", JournalPath))
        {
            (await list.WaitAsync()).Should().Be(0, list.AllStderr);
            list.Stdout.Select(l => l.Split('\t')[0]).Should().BeEquivalentTo(["ticket-3", "ticket-6"]);
            list.Stdout.Should().OnlyContain(l => l.Contains("\tfailed\t1\tSystem.InvalidOperationException: ticket"));
        }

        await using (ProcessRun failing = DivvyCommand(["replay", "--journal", JournalPath, "--item", "ticket-3", "--job", "JournalJob", Artifacts.JobsDll, "6", "0", "3", "keyed"]))
        {
            (await failing.WaitAsync()).Should().Be(1);
            failing.AllStderr.Should().Contain("item 'ticket-3' threw System.InvalidOperationException: ticket 3 fails")
                .And.Contain("at Divvy.Tests.Jobs.JournalJob.Perform(Ticket item)", "the exception surfaces with the stack of the Perform that threw it");
            failing.HasExited.Should().BeTrue();
        }

        // The same item with the job told not to fail: its result, as JSON.
        await using ProcessRun fixedJob = DivvyCommand(["replay", "--journal", JournalPath, "--item", "ticket-3", "--job", "JournalJob", Artifacts.JobsDll, "6", "0", "0", "keyed"]);
        (await fixedJob.WaitAsync()).Should().Be(0, fixedJob.AllStderr);
        fixedJob.Stdout.Should().Equal("30");
    }

    [Theory]
    [InlineData("ticket-1", "succeeded in the journal")]
    [InlineData("no-such-key", "has no item with key 'no-such-key'")]
    public async Task Replay_says_in_one_line_why_it_cannot_perform_an_item(string key, string said)
    {
        await using (ProcessRun run = DivvyCommand(["-n", "1", "--journal", JournalPath, .. Job("JournalJob", "3", "0", "0", "keyed")]))
        {
            (await run.WaitAsync()).Should().Be(0, run.AllStderr);
        }

        await using ProcessRun replay = DivvyCommand(["replay", "--journal", JournalPath, "--item", key, "--job", "JournalJob", Artifacts.JobsDll]);
        (await replay.WaitAsync()).Should().Be(2);
        replay.Stderr.Should().ContainSingle().Which.Should().Contain(said);
    }

    [Fact]
    public async Task From_code_Replay_performs_a_failed_item_on_the_calling_thread_and_throws_its_exception()
    {
        await using (ProcessRun run = DivvyCommand(["-n", "1", "--journal", JournalPath, .. Job("JournalJob", "4", "0", "2", "keyed")]))
        {
            (await run.WaitAsync()).Should().Be(1);
        }

        var job = new Tickets(fail: 2);
        int thread = Environment.CurrentManagedThreadId;
        Replay.Entries(JournalPath).Where(e => e.CanReplay).Select(e => e.Key).Should().BeEquivalentTo(["ticket-2", "ticket-4"]);
        Action replaying = () => Replay.Item(job, JournalPath, "ticket-4");
        replaying.Should().Throw<InvalidOperationException>().WithMessage("ticket 4 fails")
            .Which.StackTrace.Should().Contain(nameof(Tickets.Perform));
        Replay.Item(new Tickets(fail: 0), JournalPath, "ticket-2").Should().Be(20);
        Environment.CurrentManagedThreadId.Should().Be(thread);
    }

    [Fact]
    public async Task An_exec_task_list_resumed_from_its_journal_runs_only_the_tasks_that_did_not_succeed()
    {
        string marker = Path.Combine(_directory, "ran");
        string tasks = JsonSerializer.Serialize(new object[]
        {
            new { identifier = "a", command = $"echo a >> '{marker}'", shell = true },
            new { identifier = "b", command = $"echo b >> '{marker}'; exit 3", shell = true },
            new { command = $"echo c >> '{marker}'", shell = true },
        });

        await using (ProcessRun first = ExecSpecs.Exec("-n", "1", "--journal", JournalPath, tasks))
        {
            (await first.WaitAsync()).Should().Be(1);
        }

        File.ReadAllLines(marker).Should().BeEquivalentTo(["a", "b", "c"]);
        await using ProcessRun again = ExecSpecs.Exec("-n", "1", "--journal", JournalPath, "--retry-failed", tasks);
        (await again.WaitAsync()).Should().Be(1, "b fails again");

        File.ReadAllLines(marker).Should().BeEquivalentTo(["a", "b", "c", "b"], "a (by its identifier) and the third task (by its command line) are in the journal");
        var rows = ExecSpecs.Results(again.Stdout[^1]);
        rows.Should().HaveCount(3, "one row per task, skipped ones too");
        rows.Single(r => r.GetProperty("identifier").GetString() == "a").GetProperty("error").GetString().Should().StartWith("skipped: it succeeded in an earlier run");
        rows.Single(r => r.GetProperty("identifier").GetString() == "b").GetProperty("exit_code").GetInt32().Should().Be(3);
    }

    /// <summary>The journal job's items as this assembly reads them (the same MessagePack shape).</summary>
    [MessagePackObject]
    public sealed record LocalTicket([property: Key(0)] int Number, [property: Key(1)] string Nonce);

    /// <summary>The journal job's Perform, in this process: multiples of <c>fail</c> throw.</summary>
    private sealed class Tickets(int fail) : IParallelizable<LocalTicket, int>
    {
        public IEnumerable<LocalTicket> Dispatch() => [];

        public int Perform(LocalTicket item) =>
            fail > 0 && item.Number % fail == 0 ? throw new InvalidOperationException($"ticket {item.Number} fails") : item.Number * 10;
    }
}
