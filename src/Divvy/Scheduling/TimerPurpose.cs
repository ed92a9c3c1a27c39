namespace Divvy.Scheduling;

/// <summary>Why the scheduler armed a timer.</summary>
internal enum TimerPurpose
{
    /// <summary>The spawn throttle has a token again.</summary>
    Spawn,

    /// <summary>An item waiting out its retry backoff is due.</summary>
    Retry,

    /// <summary>Time to check deadlines and heartbeats.</summary>
    Watchdog,

    /// <summary>Workers told to stop have had <see cref="MasterOptions.ShutdownTimeout"/>.</summary>
    ShutdownDeadline,
}
