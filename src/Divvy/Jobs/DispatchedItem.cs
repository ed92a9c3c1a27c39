using System.Buffers;

namespace Divvy.Jobs;

/// <summary>
/// An item the master accepted from <c>Dispatch</c>: the user's value (for the hooks), its
/// serialized form (what goes on the wire, kept so the item can be sent again), and its history.
/// </summary>
internal sealed class DispatchedItem
{
    // The pooled array behind Payload until the item settles for good; null for an array of its own.
    private byte[]? _rented;

    public DispatchedItem(long id, object? value, byte[] payload)
        : this(id, value, payload, payload.Length, rented: false)
    {
    }

    private DispatchedItem(long id, object? value, byte[] array, int length, bool rented)
    {
        Id = id;
        Value = value;
        Payload = new ReadOnlyMemory<byte>(array, 0, length);
        _rented = rented ? array : null;
    }

    public long Id { get; }

    public object? Value { get; }

    /// <summary>The serialized item: the same bytes for every attempt.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>Attempts made so far (the one in progress included once it settles).</summary>
    public int Attempts { get; set; }

    /// <summary>The item as text for logs and reports: its <c>ToString()</c>, cut to 80 characters.</summary>
    public string Describe()
    {
        string text = Value?.ToString() ?? "";
        return text.Length > 80 ? text[..80] + "…" : text;
    }

    /// <summary>The item's identity in the run's journal; <c>null</c> when the run keeps none.</summary>
    public Journaling.JournalKey? Key { get; set; }

    /// <summary>Workers that died while holding this item.</summary>
    public int Crashes { get; set; }

    /// <summary>
    /// Sent only to a worker that holds nothing else, and nothing goes to that worker behind it,
    /// so that a crash while it runs can only be its own: an item a worker crashed on before, or
    /// one of several a worker held when it died without saying which it was performing.
    /// </summary>
    public bool SentAlone
    {
        get => _sentAlone || Crashes > 0;
        set => _sentAlone = value;
    }

    private bool _sentAlone;

    /// <summary>Workers whose connection was lost while holding this item.</summary>
    public int ConnectionLosses { get; set; }

    /// <summary>What went wrong in the latest attempt, for the result if the run stops before its retry.</summary>
    public RemoteError? LastError { get; set; }

    /// <summary>The span of the attempt in flight and its trace context, while something listens to Divvy's activity source; otherwise <c>null</c>.</summary>
    public Tracing.ItemTrace? Trace { get; set; }

    /// <summary>The result the latest failed attempt carried (<see cref="AttemptFailedException"/>) while its retry is pending, for the same reason.</summary>
    public object? LastResult { get; set; }

    /// <summary>
    /// An item whose first <paramref name="length"/> bytes of <paramref name="rented"/> (an array
    /// from <see cref="ArrayPool{T}.Shared"/>) are its payload, until <see cref="ReleasePayload"/>.
    /// </summary>
    public static DispatchedItem Pooled(long id, object? value, byte[] rented, int length) => new(id, value, rented, length, rented: true);

    /// <summary>
    /// Gives a pooled payload's array back once the item has settled for good (no attempt follows);
    /// once only, however often it is called. Nothing reads the payload after that, except a writer
    /// still encoding it for a worker already written off, whose bytes go nowhere that counts.
    /// </summary>
    public void ReleasePayload()
    {
        if (Interlocked.Exchange(ref _rented, null) is { } array)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
