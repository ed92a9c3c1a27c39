namespace Divvy.Jobs;

/// <summary>
/// An item the master accepted from <c>Dispatch</c>: the user's value (for the hooks), its
/// serialized form (what goes on the wire, kept so the item can be sent again), and its history.
/// </summary>
internal sealed class DispatchedItem
{
    public DispatchedItem(long id, object? value, byte[] payload)
    {
        Id = id;
        Value = value;
        Payload = payload;
    }

    public long Id { get; }

    public object? Value { get; }

    public byte[] Payload { get; }

    /// <summary>Attempts made so far (the one in progress included once it settles).</summary>
    public int Attempts { get; set; }

    /// <summary>Workers that died while holding this item.</summary>
    public int Crashes { get; set; }

    /// <summary>Workers whose connection was lost while holding this item.</summary>
    public int ConnectionLosses { get; set; }

    /// <summary>What went wrong in the latest attempt, for the result if the run stops before its retry.</summary>
    public RemoteError? LastError { get; set; }
}
