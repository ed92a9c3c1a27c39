namespace Divvy;

/// <summary>Why a run ended.</summary>
public enum StopReason
{
    /// <summary>Every dispatched item settled.</summary>
    Completed = 0,

    /// <summary>SIGINT (Ctrl-C) or SIGQUIT: no new items were sent, items in hand finished.</summary>
    Interrupted = 1,

    /// <summary>SIGTERM, or a second Ctrl-C: workers were killed, items in hand were not finished.</summary>
    Terminated = 2,

    /// <summary>The token passed to <see cref="Master.RunAsync"/> was cancelled: stopped as for <see cref="Interrupted"/>.</summary>
    Cancelled = 3,

    /// <summary>The <see cref="MasterOptions.Halt"/> policy stopped the run after too many failures; see <see cref="RunSummary.HaltReason"/>.</summary>
    Halted = 4,
}
