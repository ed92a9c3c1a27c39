namespace Divvy.Launching;

/// <summary>
/// Copies one worker's piped stdout to a shared sink in whole lines, so lines of different workers
/// never mix mid-line. What is left without a newline when the pipe closes goes on with one added.
/// </summary>
internal static class LineForwarder
{
    private const int InitialBuffer = 16 * 1024;

    /// <summary>
    /// A line longer than this is passed on in pieces of this size, each ended with a newline, rather
    /// than held in memory until its end.
    /// </summary>
    internal const int MaxLineLength = 64 * 1024;

    public static async Task PumpAsync(Stream source, Stream sink)
    {
        byte[] buffer = new byte[InitialBuffer];
        int kept = 0;
        try
        {
            while (true)
            {
                if (kept == buffer.Length)
                {
                    if (buffer.Length < MaxLineLength)
                    {
                        Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxLineLength));
                    }
                    else
                    {
                        WriteWithNewline(sink, buffer, kept);
                        kept = 0;
                    }
                }

                int read = await source.ReadAsync(buffer.AsMemory(kept)).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                int newline = buffer.AsSpan(kept, read).LastIndexOf((byte)'\n');
                kept += read;
                if (newline < 0)
                {
                    continue;
                }

                int whole = kept - read + newline + 1;
                sink.Write(buffer, 0, whole);
                buffer.AsSpan(whole, kept - whole).CopyTo(buffer);
                kept -= whole;
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The pipe broke because the worker died or was disposed: pass on what arrived.
        }

        if (kept > 0)
        {
            WriteWithNewline(sink, buffer, kept);
        }
    }

    private static void WriteWithNewline(Stream sink, byte[] buffer, int count)
    {
        byte[] line = new byte[count + 1];
        buffer.AsSpan(0, count).CopyTo(line);
        line[count] = (byte)'\n';
        sink.Write(line, 0, line.Length);
    }
}
