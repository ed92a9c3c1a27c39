namespace Divvy;

/// <summary>
/// What a run did. Every dispatched item is counted exactly once:
/// <c>Dispatched == Succeeded + Failed + Crashed + NotPerformed</c>.
/// </summary>
public sealed class RunSummary
{
    /// <summary>Items <c>Dispatch</c> yielded and the master accepted.</summary>
    public long Dispatched { get; init; }

    /// <summary>Items whose <c>Perform</c> returned.</summary>
    public long Succeeded { get; init; }

    /// <summary>Items whose <c>Perform</c> threw, or whose result could not be sent back.</summary>
    public long Failed { get; init; }

    /// <summary>Items whose worker died while holding them.</summary>
    public long Crashed { get; init; }

    /// <summary>Accepted items never performed because the run stopped early.</summary>
    public long NotPerformed { get; init; }

    /// <summary>Worker processes launched, respawns included.</summary>
    public int WorkersSpawned { get; init; }

    /// <summary>Worker processes that died without being asked to stop.</summary>
    public int WorkerCrashes { get; init; }

    /// <summary>Wall-clock time of the run.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Why the run ended.</summary>
    public StopReason StopReason { get; init; }

    /// <summary><c>true</c> when the run completed and every item succeeded.</summary>
    public bool IsSuccess => StopReason == StopReason.Completed && Succeeded == Dispatched;

    /// <summary>One line for logs and the CLI.</summary>
    public override string ToString() =>
        $"{StopReason.ToString().ToLowerInvariant()}: {Dispatched} dispatched, {Succeeded} succeeded, {Failed} failed, " +
        $"{Crashed} crashed, {NotPerformed} not performed; {WorkersSpawned} workers spawned, {WorkerCrashes} crashed; " +
        $"{Elapsed.TotalSeconds:F2} s";
}
