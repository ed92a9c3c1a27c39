namespace Divvy.Launching;

/// <summary>
/// Turns bytes that arrive in chunks of any size into whole lines, with the rules of
/// <see cref="LineForwarder"/>: each call of the sink gets one or more whole lines, each ending
/// with a newline; a line longer than <see cref="LineForwarder.MaxLineLength"/> goes on in pieces
/// of that size, each ended with a newline; what is left without one at the end gets one added.
/// </summary>
/// <remarks>Not thread-safe: one writer at a time.</remarks>
internal sealed class LineAssembler
{
    private readonly Action<ReadOnlySpan<byte>> _sink;
    private byte[] _partial = [];
    private int _kept;

    /// <param name="sink">Gets whole lines; the span is valid only during the call.</param>
    public LineAssembler(Action<ReadOnlySpan<byte>> sink)
    {
        _sink = sink;
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0)
        {
            int newline = bytes.IndexOf((byte)'\n');
            if (newline < 0)
            {
                Keep(bytes);
                return;
            }

            if (_kept > 0)
            {
                // The end of a line begun in an earlier chunk.
                Keep(bytes[..(newline + 1)]);
                _sink(_partial.AsSpan(0, _kept));
                _kept = 0;
                bytes = bytes[(newline + 1)..];
                continue;
            }

            // Every whole line of the chunk in one call, straight from it.
            int whole = bytes.LastIndexOf((byte)'\n') + 1;
            _sink(bytes[..whole]);
            bytes = bytes[whole..];
        }
    }

    /// <summary>The stream ended: what is left goes on, with a newline added.</summary>
    public void Complete()
    {
        if (_kept > 0)
        {
            PassWithNewline();
        }
    }

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        while (_kept + bytes.Length > LineForwarder.MaxLineLength)
        {
            int room = LineForwarder.MaxLineLength - _kept;
            Grow(LineForwarder.MaxLineLength);
            bytes[..room].CopyTo(_partial.AsSpan(_kept));
            _kept += room;
            PassWithNewline();
            bytes = bytes[room..];
        }

        Grow(_kept + bytes.Length);
        bytes.CopyTo(_partial.AsSpan(_kept));
        _kept += bytes.Length;
    }

    private void PassWithNewline()
    {
        Grow(_kept + 1);
        _partial[_kept] = (byte)'\n';
        _sink(_partial.AsSpan(0, _kept + 1));
        _kept = 0;
    }

    private void Grow(int needed)
    {
        if (_partial.Length < needed)
        {
            Array.Resize(ref _partial, Math.Max(needed, Math.Min(Math.Max(_partial.Length * 2, 256), LineForwarder.MaxLineLength + 1)));
        }
    }
}
