using Divvy.Journaling;

namespace Divvy.Tests.Journaling;

public sealed class RunJournalTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("divvy-journal-unit-").FullName;

    private string PathOf(string name) => Path.Combine(_directory, name);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static readonly Action<System.Buffers.IBufferWriter<byte>, object?> s_writeBytes = (output, value) => System.Buffers.BuffersExtensions.Write(output, ((byte[])value!).AsSpan());

    private static void Record(RunJournal journal, string key, ItemStatus status, byte[]? payload = null, RemoteError? error = null) =>
        journal.Record(JournalKey.ForName(key), status, 1, TimeSpan.FromMilliseconds(5), status == ItemStatus.Succeeded ? s_writeBytes : null, new byte[] { 0xA1, (byte)'x' }, payload, error);

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void What_a_run_recorded_is_skipped_by_the_next_one_and_failures_only_without_retry_failed(bool retryFailed, bool failedSkipped)
    {
        string path = PathOf("run.journal");
        using (RunJournal journal = RunJournal.Open(path, retryFailed: false))
        {
            Record(journal, "done", ItemStatus.Succeeded);
            Record(journal, "broken", ItemStatus.Failed, [1, 2, 3], new RemoteError("System.Exception", "boom", "at Perform"));
        }

        using RunJournal reopened = RunJournal.Open(path, retryFailed);
        reopened.Earlier.Should().Be(2);
        reopened.Skips(JournalKey.ForName("done")).Should().BeTrue();
        reopened.Skips(JournalKey.ForName("broken")).Should().Be(failedSkipped);
        reopened.Skips(JournalKey.ForName("new")).Should().BeFalse();
        JournalRecord broken = reopened.Find(JournalKey.ForName("broken"))!;
        broken.Payload!.Value.ToArray().Should().Equal(1, 2, 3);
        broken.Error!.Message.Should().Be("boom");
        reopened.Find(JournalKey.ForName("done"))!.Result!.Value.ToArray().Should().Equal(0xA1, (byte)'x');
    }

    [Fact]
    public void A_later_record_of_a_key_wins_and_records_bigger_than_the_read_window_read_back()
    {
        string path = PathOf("big.journal");
        byte[] big = new byte[3 << 20];
        Random.Shared.NextBytes(big);
        using (RunJournal journal = RunJournal.Open(path, retryFailed: true))
        {
            Record(journal, "k", ItemStatus.Failed, [9]);
            Record(journal, "big", ItemStatus.Failed, big);
            Record(journal, "k", ItemStatus.Succeeded);
        }

        using RunJournal reopened = RunJournal.Open(path, retryFailed: true);
        reopened.Skips(JournalKey.ForName("k")).Should().BeTrue("its success came after its failure");
        reopened.Find(JournalKey.ForName("big"))!.Payload!.Value.ToArray().Should().Equal(big);
        reopened.TornBytes.Should().Be(0);
    }

    [Fact]
    public void A_record_garbled_before_the_end_is_refused_rather_than_cut_away_with_what_follows()
    {
        string path = PathOf("damaged.journal");
        using (RunJournal journal = RunJournal.Open(path, retryFailed: false))
        {
            Record(journal, "a", ItemStatus.Succeeded);
            Record(journal, "b", ItemStatus.Succeeded);
        }

        byte[] bytes = File.ReadAllBytes(path);
        bytes[8 + 8 + 3] ^= 0xFF; // inside the first record's body: its checksum no longer matches
        File.WriteAllBytes(path, bytes);

        Action open = () => RunJournal.Open(path, retryFailed: false).Dispose();
        open.Should().Throw<RunSetupException>().WithMessage("*is damaged at byte 8 of*");
        File.ReadAllBytes(path).Should().Equal(bytes, "a damaged journal is left as it is");
    }

    [Fact]
    public void Two_runs_cannot_hold_one_journal()
    {
        string path = PathOf("locked.journal");
        using RunJournal first = RunJournal.Open(path, retryFailed: false);

        Action second = () => RunJournal.Open(path, retryFailed: false).Dispose();

        second.Should().Throw<RunSetupException>().WithMessage("*in use by another run*");
    }

    [Fact]
    public void A_hashed_key_is_the_same_for_the_same_bytes_and_reads_back_as_32_hex_digits()
    {
        JournalKey key = JournalKey.ForPayload([1, 2, 3]);
        key.Should().NotBeSameAs(JournalKey.ForPayload([1, 2, 3]));
        key.Hash.Should().Be(JournalKey.ForPayload([1, 2, 3]).Hash);
        key.Hash.Should().NotBe(JournalKey.ForPayload([1, 2, 4]).Hash);
        key.Text.Should().MatchRegex("^[0-9a-f]{32}$");
        JournalKey.ForName("x").Hash.Should().NotBe(JournalKey.ForPayload("x"u8).Hash, "a job's key never meets a hash of bytes");
    }
}
