namespace Divvy.Transport.Tcp;

/// <summary>A TCP handshake failed; the message says why in one line, naming the peer where it can.</summary>
internal sealed class HandshakeException : Exception
{
    public HandshakeException(HandshakeFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
    }

    public HandshakeFailure Failure { get; }
}
