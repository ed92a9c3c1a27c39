using Divvy.Jobs;
using Divvy.Journaling;

namespace Divvy.Scheduling;

/// <summary>
/// The run's journal (<see cref="MasterOptions.Journal"/>): the pump keys each item and sets aside
/// those an earlier run settled; the loop reports them as skipped, records every item that settles
/// now, and hands the records to the operating system once per step.
/// </summary>
internal sealed partial class Scheduler
{
    private const int SkippedPerEvent = 1024;
    private const int SkippedEventsInFlight = 4;

    private readonly RunJournal? _journal;
    // Batches of skipped items posted and not yet reported: the pump waits for room, so a journal
    // of a million settled items does not become a million queued events.
    private readonly SemaphoreSlim _skippedRoom = new(SkippedEventsInFlight);
    private List<SkippedItem>? _skipped;
    private Action<System.Buffers.IBufferWriter<byte>, object?>? _writeResult;

    private RunJournal? OpenJournal(MasterOptions options)
    {
        if (options.Journal is not { } path)
        {
            return null;
        }

        RunJournal journal = RunJournal.Open(path, options.RetryFailed);
        if (journal.TornBytes > 0)
        {
            Log.JournalTorn(_log, path, journal.TornBytes);
        }

        Log.JournalOpened(_log, path, journal.Earlier, journal.EarlierSucceeded, options.RetryFailed ? "those that did not succeed run again" : "all are skipped");
        return journal;
    }

    /// <summary>The pump's side: keys the item; <c>true</c> when an earlier run settled it, and it is set aside to be reported as skipped.</summary>
    private bool SetAside(DispatchedItem item)
    {
        RunJournal journal = _journal!;
        item.Key = _job.ItemKey(item.Value) is { } name ? JournalKey.ForName(name) : JournalKey.ForPayload(item.Payload.Span);
        if (!journal.Skips(item.Key) || journal.Find(item.Key) is not { } earlier)
        {
            return false;
        }

        (_skipped ??= new List<SkippedItem>(SkippedPerEvent)).Add(new SkippedItem(item, earlier));
        return true;
    }

    /// <summary>The pump's side: posts a full batch of skipped items.</summary>
    private ValueTask PostSkippedIfFullAsync(CancellationToken cancellationToken) =>
        _skipped is { Count: >= SkippedPerEvent } ? PostSkippedAsync(cancellationToken) : default;

    /// <summary>The pump's side: posts the skipped items set aside so far, waiting while the loop has enough of them to report.</summary>
    private async ValueTask PostSkippedAsync(CancellationToken cancellationToken)
    {
        if (_skipped is not { Count: > 0 } batch)
        {
            return;
        }

        await _skippedRoom.WaitAsync(cancellationToken).ConfigureAwait(false);
        _skipped = null;
        _events.Writer.TryWrite(new ItemsSkipped(batch));
    }

    /// <summary>The pump's last word on skipped items, whatever stopped it: posted without waiting, so that each is still reported.</summary>
    private void PostSkippedNow()
    {
        if (_skipped is { Count: > 0 } batch)
        {
            _skipped = null;
            _events.Writer.TryWrite(new ItemsSkipped(batch));
        }
    }

    private void OnItemsSkipped(ItemsSkipped skipped)
    {
        var nobody = new WorkerInfo(0, null);
        foreach ((DispatchedItem item, JournalRecord earlier) in skipped.Items)
        {
            _ledger.Accept();
            item.Attempts = earlier.Attempts;
            object? result = earlier.Result is { } bytes && _job.TryReadResult(bytes, out object? value, out _) ? value : null;
            Finish(item, ItemStatus.Skipped, result, earlier.Error, nobody, earlier.Duration, null, checkHalt: false);
        }

        _skippedRoom.Release();
    }

    /// <summary>Records an item that settled in this run (not one skipped, nor one the run never performed).</summary>
    private void Journal(DispatchedItem item, ItemStatus status, object? result, RemoteError? error, TimeSpan duration)
    {
        if (_journal is null || item.Key is null || status is ItemStatus.Skipped or ItemStatus.NotPerformed)
        {
            return;
        }

        // A success keeps its result (a later run reports it with the skip); anything else keeps
        // the item's bytes, so that it can be run again on its own (divvy replay).
        bool succeeded = status == ItemStatus.Succeeded;
        _journal.Record(item.Key, status, item.Attempts, duration, succeeded ? _writeResult ??= _job.WriteResult : null, result, succeeded ? null : (ReadOnlyMemory<byte>?)item.Payload, error);
    }

    /// <summary>One item an earlier run settled, with what the journal says of it.</summary>
    internal readonly record struct SkippedItem(DispatchedItem Item, JournalRecord Earlier);
}
