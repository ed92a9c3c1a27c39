namespace Divvy.Scheduling;

/// <summary>Where one worker is in its life, as the scheduler sees it. Only <see cref="Ready"/> takes items.</summary>
internal enum WorkerState
{
    /// <summary>Launched, not yet ready (connecting, or running its <c>AfterSpawn</c> hook).</summary>
    Booting,

    /// <summary>Ready and taking items.</summary>
    Ready,

    /// <summary>The pool shrank: it takes no more items and is told to stop once it holds none.</summary>
    Draining,

    /// <summary>It announced it is recycling: it performs nothing more and exits by itself.</summary>
    Retiring,

    /// <summary>The master told it to stop; it finishes what it holds and exits.</summary>
    Stopping,

    /// <summary>The master killed it (written off): nothing it still says is believed.</summary>
    Killed,
}
