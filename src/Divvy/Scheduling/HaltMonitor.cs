namespace Divvy.Scheduling;

/// <summary>Watches settled items against the run's <see cref="HaltPolicy"/>; trips once.</summary>
internal sealed class HaltMonitor
{
    private readonly HaltPolicy _policy;

    public HaltMonitor(HaltPolicy policy) => _policy = policy;

    /// <summary>What tripped the policy, once it has.</summary>
    public string? Reason { get; private set; }

    /// <summary><c>true</c> the one time the counts trip the policy.</summary>
    public bool Trips(long failures, long settled)
    {
        if (Reason is not null || !_policy.IsTripped(failures, settled))
        {
            return false;
        }

        Reason = $"{failures} of {settled} settled items failed, --halt {_policy}";
        return true;
    }
}
