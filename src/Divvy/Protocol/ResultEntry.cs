namespace Divvy.Protocol;

/// <summary>One item performed, inside a <see cref="ResultsMessage"/>: the same fields as a <see cref="ResultMessage"/>.</summary>
internal readonly record struct ResultEntry(long Id, long ElapsedTicks, ReadOnlyMemory<byte> Payload);
