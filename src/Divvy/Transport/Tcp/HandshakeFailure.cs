namespace Divvy.Transport.Tcp;

/// <summary>Why a TCP handshake did not end with a connected worker.</summary>
internal enum HandshakeFailure
{
    /// <summary>The peer sent bytes that are not this handshake (a frame too long, a wrong magic or shape).</summary>
    Garbage,

    /// <summary>The peer speaks another protocol version.</summary>
    WrongVersion,

    /// <summary>The peer's proof does not match: it does not know the token (or replayed an old proof).</summary>
    WrongToken,

    /// <summary>The peer said nothing, or not enough, before the handshake deadline.</summary>
    Silent,

    /// <summary>The peer closed the connection during the handshake (a master does so to refuse a worker).</summary>
    Closed,

    /// <summary>The master has no free worker slot.</summary>
    Full,

    /// <summary>The master cannot be reached at all.</summary>
    CannotConnect,
}
