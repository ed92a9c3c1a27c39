namespace Divvy.Scheduling;

/// <summary>
/// Where the run is: taking work, or stopping (and why), and the first error it will rethrow.
/// The precedence between stop reasons is decided here and nowhere else.
/// </summary>
internal sealed class RunLifecycle
{
    /// <summary>Items are still handed out and workers launched.</summary>
    public bool IsAccepting { get; private set; } = true;

    /// <summary>Dispatch has yielded its last item (or failed, or was stopped).</summary>
    public bool DispatchEnded { get; private set; }

    /// <summary>Why the run ends; <c>null</c> while nothing stopped it.</summary>
    public StopReason? StopReason { get; private set; }

    /// <summary>The first error the run rethrows when it has ended.</summary>
    public Exception? Fatal { get; private set; }

    public void EndDispatch() => DispatchEnded = true;

    /// <summary>Stops taking work; <c>true</c> the first time, when the workers are to be told.</summary>
    public bool BeginStop(StopReason reason)
    {
        StopReason ??= reason;
        if (!IsAccepting)
        {
            return false;
        }

        IsAccepting = false;
        return true;
    }

    /// <summary>A forced stop: a termination overrides an earlier reason, except a halt.</summary>
    public void Force(StopReason reason)
    {
        StopReason ??= reason;
        if (reason == Divvy.StopReason.Terminated && StopReason != Divvy.StopReason.Halted)
        {
            StopReason = reason;
        }

        IsAccepting = false;
    }

    /// <summary>The halt policy tripped: that is why the run ends, whatever was said before.</summary>
    public void Halt() => StopReason = Divvy.StopReason.Halted;

    /// <summary>Remembers the first error to rethrow.</summary>
    public void Fail(Exception error) => Fatal ??= error;

    /// <summary>The run cannot go on: remember why, and take no more work.</summary>
    public void Abort(Exception error)
    {
        Fatal ??= error;
        StopReason ??= Divvy.StopReason.Terminated;
        IsAccepting = false;
    }
}
