namespace Divvy.Jobs;

/// <summary>
/// An item the master accepted from <c>Dispatch</c>: the user's value (for <c>OnResult</c>) and its
/// serialized form (what goes on the wire, kept so the item can be sent again to another worker).
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
}
