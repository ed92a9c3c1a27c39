using System.Text;

namespace Divvy.Cli.Progress;

/// <summary>
/// One status line kept at the bottom of a terminal while other output scrolls above it. Every
/// write of other output goes through here: erase the status line ("\r", erase to end of line),
/// write the whole lines, draw the status line again. Partial lines wait for their newline, so the
/// status line is always drawn at the start of an empty line. In a flood of output the line is
/// erased once and redrawn at most every <see cref="RedrawAfterOutput"/> (and by the next
/// <see cref="Show"/>), so a burst costs about one write per batch of lines, as without the line.
/// </summary>
/// <remarks>
/// Hand-written rather than Spectre.Console's live display: Spectre keeps its line below output
/// only for what is written through its own <c>IAnsiConsole</c>, re-rendered as Spectre text
/// (wrapped and escaped) on the console's one stream. Job output must reach stdout byte for byte
/// (its own colours included) while the line lives on stderr, and it comes from worker processes,
/// not from Spectre calls. What a pinned line needs is three escape-free steps and a lock.
/// </remarks>
internal sealed class PinnedLine
{
    /// <summary>Output redraws the line at once unless it did so less than this long ago.</summary>
    internal static readonly TimeSpan RedrawAfterOutput = TimeSpan.FromMilliseconds(100);

    private static readonly byte[] s_erase = "\r\u001b[K"u8.ToArray();
    private readonly Lock _gate = new();
    private readonly Stream _stdout;
    private readonly Stream _stderr;
    private readonly TimeProvider _time;
    private readonly List<PinnedLineStream> _streams = [];
    private string _text = "";
    private byte[] _drawn = [];
    private bool _visible;
    private long? _lastRedrawAfterOutput;
    private bool _closed;

    /// <param name="stdout">The terminal through standard output, where job output goes.</param>
    /// <param name="stderr">The terminal through standard error, where the status line is drawn.</param>
    /// <param name="time">The clock that spaces redraws during a flood of output.</param>
    public PinnedLine(Stream stdout, Stream stderr, TimeProvider? time = null)
    {
        _stdout = stdout;
        _stderr = stderr;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>A stream for text bound for stdout (<paramref name="toStdout"/>) or stderr, shown above the line.</summary>
    public Stream CreateStream(bool toStdout)
    {
        var stream = new PinnedLineStream(this, toStdout);
        lock (_gate)
        {
            _streams.Add(stream);
        }

        return stream;
    }

    /// <summary>Draws <paramref name="text"/> as the status line (which must fit the terminal's width).</summary>
    public void Show(string text)
    {
        lock (_gate)
        {
            if (_closed || (text == _text && _visible))
            {
                return;
            }

            _text = text;
            _drawn = Encoding.UTF8.GetBytes($"\r{text}\u001b[K");
            Draw();
        }
    }

    /// <summary>
    /// Erases the status line for good and writes out what the streams still hold without a
    /// newline; from here on, writes go straight through.
    /// </summary>
    public void Close()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            Erase();

            foreach (PinnedLineStream stream in _streams)
            {
                if (stream.Pending.Length > 0)
                {
                    Target(stream).Write(stream.Pending.Span);
                    Target(stream).Flush();
                    stream.ClearPending();
                }
            }
        }
    }

    /// <summary>Called by <see cref="PinnedLineStream"/>: shows its whole lines above the status line, keeps the rest.</summary>
    internal void Write(PinnedLineStream stream, ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            Stream target = Target(stream);
            if (_closed)
            {
                target.Write(data);
                target.Flush();
                return;
            }

            int newline = data.LastIndexOf((byte)'\n');
            if (newline < 0)
            {
                stream.AddPending(data);
                if (stream.Pending.Length >= PinnedLineStream.MaxPending)
                {
                    // A very long line without its newline yet: show it now, ended here, rather than hold it.
                    Above(target, stream.Pending.Span, "\n"u8);
                    stream.ClearPending();
                }

                return;
            }

            Above(target, stream.Pending.Span, data[..(newline + 1)]);
            stream.ClearPending();
            stream.AddPending(data[(newline + 1)..]);
        }
    }

    private void Above(Stream target, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        Erase();
        if (!first.IsEmpty)
        {
            target.Write(first);
        }

        target.Write(second);
        target.Flush();
        if (_drawn.Length > 0 && (_lastRedrawAfterOutput is not { } last || _time.GetElapsedTime(last) >= RedrawAfterOutput))
        {
            Draw();
            _lastRedrawAfterOutput = _time.GetTimestamp();
        }
    }

    private void Draw()
    {
        _stderr.Write(_drawn);
        _stderr.Flush();
        _visible = true;
    }

    private void Erase()
    {
        if (_visible)
        {
            _stderr.Write(s_erase);
            _stderr.Flush();
            _visible = false;
        }
    }

    private Stream Target(PinnedLineStream stream) => stream.ToStdout ? _stdout : _stderr;
}
