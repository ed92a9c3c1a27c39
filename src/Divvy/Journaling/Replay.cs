using Divvy.Jobs;
using Divvy.Journaling;

namespace Divvy;

/// <summary>
/// Runs an item a journal recorded as not succeeded again, in this process, on the calling thread:
/// under a debugger its breakpoints hold and its exception surfaces with its own stack
/// (<c>divvy replay --journal run.journal --item KEY job.dll</c> does this from the command line).
/// </summary>
public static class Replay
{
    /// <summary>Every item in the journal at <paramref name="journal"/>, as last recorded, those that did not succeed first.</summary>
    /// <exception cref="RunSetupException">The file cannot be read (another run holds it), or is not a Divvy journal.</exception>
    public static IReadOnlyList<JournalEntry> Entries(string journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        return [.. RunJournal.ReadAll(journal)
            .OrderBy(r => r.Status == ItemStatus.Succeeded)
            .Select(r => new JournalEntry(r.Key.Text, r.Status, r.Attempts, r.Duration, r.Error, r.Payload is not null))];
    }

    /// <summary>
    /// Performs the item with key <paramref name="key"/> of the journal at <paramref name="journal"/>
    /// with <paramref name="job"/>: its <c>AfterSpawn</c> (as worker 0 of this process), then its
    /// <c>Perform</c>, whose result this returns and whose exception this throws, as it is.
    /// </summary>
    /// <exception cref="RunSetupException">The journal cannot be read, has no such item, or kept no bytes for it (it succeeded).</exception>
    public static TResult Item<TItem, TResult>(IParallelizable<TItem, TResult> job, string journal, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        return Perform(job, Serialization.Deserialize<TItem>(Payload(journal, key)), cancellationToken);
    }

    /// <summary>What a worker does with an item, done here: <c>AfterSpawn</c>, then <c>Perform</c>, nothing caught.</summary>
    internal static TResult Perform<TItem, TResult>(IParallelizable<TItem, TResult> job, TItem item, CancellationToken cancellationToken)
    {
        job.AfterSpawn(new WorkerInfo(0, Environment.ProcessId));
        ValueTask<TResult> performing = job.PerformAsync(item, cancellationToken);
        return performing.IsCompletedSuccessfully ? performing.Result : performing.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The bytes the journal kept of the item with this key.</summary>
    internal static ReadOnlyMemory<byte> Payload(string journal, string key)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(key);
        JournalRecord record = RunJournal.ReadAll(journal).FirstOrDefault(r => r.Key.Text == key)
            ?? throw new RunSetupException($"the journal {journal} has no item with key '{key}' (divvy replay --journal {journal} lists them)");
        return record.Payload
            ?? throw new RunSetupException($"item '{key}' {Words.Of(record.Status)} in the journal {journal}: a journal keeps the bytes only of items that did not succeed");
    }
}
