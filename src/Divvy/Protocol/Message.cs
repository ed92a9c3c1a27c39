namespace Divvy.Protocol;

/// <summary>A message on a worker channel. Pure data: encoding lives in <see cref="MessageCodec"/>.</summary>
internal abstract record Message
{
    public abstract MessageKind Kind { get; }
}
