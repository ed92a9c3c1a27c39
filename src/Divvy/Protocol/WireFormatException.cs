namespace Divvy.Protocol;

/// <summary>
/// Bytes that <see cref="WireReader"/> cannot read as what was asked for. It never leaves the
/// codec: <see cref="MessageCodec"/> turns it into a <see cref="ProtocolException"/> that names the message.
/// </summary>
internal sealed class WireFormatException(string message) : Exception(message);
