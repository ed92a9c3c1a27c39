namespace Divvy;

/// <summary>
/// An item or result cannot be serialized with MessagePack. Raised in the master at the first item
/// of an unserializable type, before anything reaches a worker.
/// </summary>
public sealed class ItemSerializationException : DivvyException
{
    /// <summary>Creates the exception for a value of <paramref name="type"/>.</summary>
    public ItemSerializationException(Type type, Exception innerException)
        : base($"cannot serialize {type.FullName} with MessagePack: mark it [MessagePackObject] with [Key] members, or use primitives, strings and arrays ({innerException.Message})", innerException)
    {
        Type = type;
    }

    /// <summary>The type that could not be serialized.</summary>
    public Type Type { get; }
}
