namespace Divvy;

/// <summary>
/// The bytes on a worker channel do not form a valid Divvy message: a truncated frame, a frame
/// over the size limit, an unknown message, or a peer that speaks another protocol version.
/// </summary>
public class ProtocolException : DivvyException
{
    /// <summary>Creates the exception.</summary>
    public ProtocolException(string message) : base(message) { }

    /// <summary>Creates the exception with the error that caused it.</summary>
    public ProtocolException(string message, Exception? innerException) : base(message, innerException) { }
}
