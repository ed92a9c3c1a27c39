using Divvy.Tests.Support;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary>Resuming a run from its journal (--journal, --retry-failed), through the divvy command.</summary>
[Collection(ProcessCollection.Name)]
public sealed partial class JournalSpecs : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("divvy-journal-").FullName;

    private string JournalPath => Path.Combine(_directory, "run.journal");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static List<Dictionary<string, string>> Results(ProcessRun run) => run.Lines("result ").Select(Fields).ToList();

    [Fact]
    public async Task A_master_killed_mid_run_resumes_from_its_journal_and_performs_only_what_was_left()
    {
        HashSet<string> reportedFirst;
        await using (ProcessRun first = DivvyCommand(["-n", "2", "--journal", JournalPath, .. Job("JournalJob", "200", "20", "0", "keyed")]))
        {
            await first.WaitForLinesAsync("result ", 60);
            first.Signal(9);
            await first.WaitAsync();
            reportedFirst = Results(first).Where(r => r["status"] == "Succeeded").Select(r => r["item"]).ToHashSet();
        }

        await using ProcessRun second = DivvyCommand(["-n", "2", "--journal", JournalPath, .. Job("JournalJob", "200", "20", "0", "keyed")]);
        (await second.WaitAsync()).Should().Be(0, second.AllStderr);

        var results = Results(second);
        results.Select(r => r["item"]).Should().BeEquivalentTo(Enumerable.Range(1, 200).Select(n => n.ToString()), "every item reaches OnResult once, skipped or performed");
        var skipped = results.Where(r => r["status"] == "Skipped").ToList();
        var performed = results.Where(r => r["status"] == "Succeeded").Select(r => r["item"]).ToList();
        skipped.Should().OnlyContain(r => r["value"] == (int.Parse(r["item"]) * 10).ToString(), "a skipped item carries the result the journal kept");
        performed.Intersect(reportedFirst).Should().HaveCountLessThanOrEqualTo(4, "at most what the killed master was settling in its last step is missing from the journal");
        skipped.Count.Should().BeGreaterThanOrEqualTo(reportedFirst.Count - 4);
        second.Summary()["skipped"].Should().Be(skipped.Count.ToString());
        second.Stderr.Should().Contain(l => l.StartsWith("divvy: run completed") && l.Contains($"{skipped.Count} skipped (journal)"));
    }

    [Fact]
    public async Task Failed_items_are_skipped_on_resume_unless_retry_failed_runs_them_again()
    {
        await using (ProcessRun first = DivvyCommand(["-n", "2", "--journal", JournalPath, .. Job("JournalJob", "12", "0", "3", "keyed")]))
        {
            (await first.WaitAsync()).Should().Be(1);
        }

        await using (ProcessRun again = DivvyCommand(["-n", "2", "--journal", JournalPath, .. Job("JournalJob", "12", "0", "3", "keyed")]))
        {
            (await again.WaitAsync()).Should().Be(0, "nothing ran, so nothing failed: " + again.AllStderr);
            Results(again).Should().HaveCount(12).And.OnlyContain(r => r["status"] == "Skipped");
            again.Lines("error ").Should().HaveCount(4).And.OnlyContain(l => l.Contains("fails"), "a skipped failure carries its earlier error");
        }

        await using ProcessRun retried = DivvyCommand(["-n", "2", "--journal", JournalPath, "--retry-failed", .. Job("JournalJob", "12", "0", "3", "keyed")]);
        (await retried.WaitAsync()).Should().Be(1);
        var results = Results(retried);
        results.Where(r => r["status"] == "Failed").Select(r => r["item"]).Should().BeEquivalentTo(["3", "6", "9", "12"]);
        results.Where(r => r["status"] == "Skipped").Should().HaveCount(8);
    }

    [Theory]
    [InlineData("keyed", 10)]
    [InlineData("hashed", 0)]
    public async Task Items_are_known_by_the_key_their_job_gives_or_else_by_their_bytes(string keys, int skippedOnResume)
    {
        // Every run gives its items a new nonce: their bytes differ from one run to the next.
        await using (ProcessRun first = DivvyCommand(["-n", "1", "--journal", JournalPath, .. Job("JournalJob", "10", "0", "0", keys)]))
        {
            (await first.WaitAsync()).Should().Be(0, first.AllStderr);
        }

        await using ProcessRun second = DivvyCommand(["-n", "1", "--journal", JournalPath, .. Job("JournalJob", "10", "0", "0", keys)]);
        (await second.WaitAsync()).Should().Be(0, second.AllStderr);
        Results(second).Count(r => r["status"] == "Skipped").Should().Be(skippedOnResume);
    }

    [Fact]
    public async Task A_journal_cut_short_by_a_kill_mid_write_loses_only_its_torn_record()
    {
        await using (ProcessRun first = DivvyCommand(["-n", "1", "--journal", JournalPath, .. Job("JournalJob", "5", "0", "0", "keyed")]))
        {
            (await first.WaitAsync()).Should().Be(0, first.AllStderr);
        }

        // The first half of a record: its header promises more bytes than follow.
        await using (FileStream file = new(JournalPath, FileMode.Append))
        {
            file.Write([200, 0, 0, 0, 1, 2, 3, 4, 5, 6]);
        }

        await using ProcessRun second = DivvyCommand(["-n", "1", "--journal", JournalPath, .. Job("JournalJob", "6", "0", "0", "keyed")]);
        (await second.WaitAsync()).Should().Be(0, second.AllStderr);
        Results(second).Count(r => r["status"] == "Skipped").Should().Be(5);
        second.Stderr.Should().Contain(l => l.Contains("dropped 10 bytes"));

        await using ProcessRun third = DivvyCommand(["-n", "1", "--journal", JournalPath, .. Job("JournalJob", "6", "0", "0", "keyed")]);
        (await third.WaitAsync()).Should().Be(0, third.AllStderr);
        Results(third).Should().OnlyContain(r => r["status"] == "Skipped", "the record appended after the cut reads back");
    }

    [Theory]
    [InlineData("not a journal\n", "is not a Divvy journal")]
    public async Task A_file_that_is_not_a_journal_is_refused_in_one_line_and_left_as_it_was(string content, string said)
    {
        File.WriteAllText(JournalPath, content);

        await using ProcessRun run = DivvyCommand(["-n", "1", "--journal", JournalPath, .. Job("JournalJob", "3")]);

        (await run.WaitAsync()).Should().NotBe(0);
        run.Stderr.Should().ContainSingle(l => l.Contains(said));
        run.Lines("result ").Should().BeEmpty();
        File.ReadAllText(JournalPath).Should().Be(content);
    }

    [Fact]
    public async Task Retry_failed_without_a_journal_is_a_usage_error()
    {
        await using ProcessRun run = DivvyCommand(["-n", "1", "--retry-failed", .. Job("JournalJob", "3")]);

        (await run.WaitAsync()).Should().Be(2);
        run.Stderr.Should().Contain(l => l.Contains("--retry-failed reruns the failed items of a --journal"));
    }
}
