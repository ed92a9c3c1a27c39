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
        bool discarding = false;
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
                    PassWithNewline(buffer, kept);
                    kept = 0;
                }
            }

            int read;
            try
            {
                read = await source.ReadAsync(buffer.AsMemory(kept)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // The pipe broke because the worker died or was disposed: pass on what arrived.
                break;
            }

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
            Pass(buffer, whole);
            buffer.AsSpan(whole, kept - whole).CopyTo(buffer);
            kept -= whole;
        }

        if (kept > 0)
        {
            PassWithNewline(buffer, kept);
        }

        void PassWithNewline(byte[] bytes, int count)
        {
            byte[] line = new byte[count + 1];
            bytes.AsSpan(0, count).CopyTo(line);
            line[count] = (byte)'\n';
            Pass(line, line.Length);
        }

        void Pass(byte[] bytes, int count)
        {
            if (discarding)
            {
                return;
            }

            try
            {
                sink.Write(bytes, 0, count);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // The terminal is gone: keep reading so the worker never blocks on a full pipe, and drop the rest.
                discarding = true;
            }
        }
    }
}
