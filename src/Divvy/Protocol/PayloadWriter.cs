using MessagePack;

namespace Divvy.Protocol;

/// <summary>Writes a user's value as the payload of a message; the codec embeds it without copying.</summary>
internal delegate void PayloadWriter<in T>(ref MessagePackWriter writer, T value);
