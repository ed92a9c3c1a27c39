namespace Divvy;

/// <summary>
/// An item or result cannot be serialized with MessagePack. Raised in the master at the first item
/// of an unserializable type, before anything reaches a worker. The message is one line: the item,
/// its type and what to do.
/// </summary>
public sealed class ItemSerializationException : DivvyException
{
    private const int MaxItemText = 80;

    /// <summary>Creates the exception for a value of <paramref name="type"/>.</summary>
    public ItemSerializationException(Type type, Exception innerException)
        : this(null, type, innerException)
    {
    }

    internal ItemSerializationException(object? item, Type type, Exception innerException)
        : base(Describe(item, type, innerException), innerException)
    {
        Type = type;
    }

    /// <summary>The type that could not be serialized.</summary>
    public Type Type { get; }

    /// <summary>
    /// <c>cannot serialize item "x" (Shop.Parcel) for a worker: mark Parcel [MessagePackObject] ...</c>;
    /// MessagePack's own reason is added only when it says more than "no formatter".
    /// </summary>
    private static string Describe(object? item, Type type, Exception inner)
    {
        string? text = ItemText(item, type);
        string what = text is null ? $"an item of type {type.FullName}" : $"item {text} ({type.FullName})";
        string reason = Innermost(inner).Message;
        string detail = reason.Contains(Jobs.Serialization.NoFormatter, StringComparison.Ordinal) || reason.Length == 0 ? "" : $" (MessagePack: {OneLine(reason)})";
        return $"cannot serialize {what} for a worker{detail}: mark {type.Name} [MessagePackObject] with [Key(0)], [Key(1)]... on the members to send, or use primitives, strings, arrays and collections of them";
    }

    /// <summary>The item as its ToString shows it, quoted and cut short; <c>null</c> when that says no more than the type name.</summary>
    private static string? ItemText(object? item, Type type)
    {
        string? text;
        try
        {
            text = item?.ToString();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A ToString that throws must not hide the serialization problem.
            return null;
        }

        if (string.IsNullOrEmpty(text) || text == type.FullName || text == type.ToString())
        {
            return null;
        }

        text = OneLine(text);
        return "\"" + (text.Length > MaxItemText ? string.Concat(text.AsSpan(0, MaxItemText), "…") : text) + "\"";
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static Exception Innermost(Exception error)
    {
        while (error.InnerException is { } inner)
        {
            error = inner;
        }

        return error;
    }
}
