using Divvy.Jobs;

namespace Divvy.Scheduling;

/// <summary>
/// What follows an attempt: the item settles (and how), or it is tried again after a backoff.
/// Retries (<see cref="MasterOptions.MaxRetries"/>), poison (<see cref="MasterOptions.PoisonThreshold"/>)
/// and the mapping from outcome to status live here and nowhere else.
/// </summary>
internal sealed class AttemptPolicy
{
    private readonly MasterOptions _options;
    private readonly RetryBackoff _backoff;

    public AttemptPolicy(MasterOptions options, RetryBackoff backoff)
    {
        _options = options;
        _backoff = backoff;
    }

    /// <summary>
    /// Writes the attempt into the item's history and decides: a final status, or a retry after a
    /// delay. <paramref name="retriesAllowed"/> is false once the run takes no more work.
    /// <paramref name="sharedCrash"/>: the worker crashed while it ran this item and others
    /// (<see cref="MasterOptions.MaxConcurrentItemsPerWorker"/> above 1). The crash cannot be pinned on
    /// one of them, so it uses up a retry of each but counts toward none's <see cref="MasterOptions.PoisonThreshold"/>:
    /// quarantine is kept for a crash that only this item can have caused.
    /// </summary>
    public AttemptDecision Decide(DispatchedItem item, AttemptOutcome outcome, RemoteError? error, bool retriesAllowed, bool sharedCrash = false)
    {
        item.Attempts++;
        item.LastError = error;
        if (outcome == AttemptOutcome.Crashed && !sharedCrash)
        {
            item.Crashes++;
        }
        else if (outcome == AttemptOutcome.WorkerLost)
        {
            item.ConnectionLosses++;
        }

        // Lost connections are not the item's fault: they do not use up its retries.
        int retries = item.Attempts - item.ConnectionLosses;
        ItemStatus? final = outcome switch
        {
            AttemptOutcome.Succeeded => ItemStatus.Succeeded,
            AttemptOutcome.Failed => ItemStatus.Failed,
            AttemptOutcome.Crashed when item.Crashes >= _options.PoisonThreshold => ItemStatus.Quarantined,
            AttemptOutcome.WorkerLost when item.ConnectionLosses >= _options.MaxConnectionLosses => ItemStatus.Quarantined,
            AttemptOutcome.WorkerLost => retriesAllowed ? null : ItemStatus.NotPerformed,
            _ when retries <= _options.MaxRetries && retriesAllowed => null,
            _ => FinalStatus(outcome),
        };

        if (final is { } status)
        {
            return AttemptDecision.Settle(status);
        }

        // An item whose worker was lost goes straight back to the front of the line.
        return AttemptDecision.RetryAfter(outcome == AttemptOutcome.WorkerLost ? TimeSpan.Zero : _backoff.Delay(retries));
    }

    /// <summary>
    /// What <c>OnAttempt</c> is told: "Retry" promises a retry, so an attempt that was worth
    /// retrying but is the item's last (retries used up, or the run is stopping) is a failure.
    /// </summary>
    public static AttemptOutcome Reported(AttemptOutcome outcome, AttemptDecision decision) =>
        decision.Final is not null && outcome == AttemptOutcome.Retry ? AttemptOutcome.Failed : outcome;

    private static ItemStatus FinalStatus(AttemptOutcome outcome) => outcome switch
    {
        AttemptOutcome.Succeeded => ItemStatus.Succeeded,
        AttemptOutcome.TimedOut => ItemStatus.TimedOut,
        AttemptOutcome.Crashed => ItemStatus.Crashed,
        _ => ItemStatus.Failed,
    };
}
