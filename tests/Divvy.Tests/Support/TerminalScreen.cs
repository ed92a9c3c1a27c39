using System.Text;

namespace Divvy.Tests.Support;

/// <summary>
/// Just enough of a VT100 to replay what a program wrote to a terminal and read the screen
/// afterwards: printable text with deferred wrap at the right margin, CR, LF, BS, and the CSI
/// cursor moves and erases (A B C D E F G H K J); colours, modes and OSC strings are ignored.
/// The screen is <see cref="Rows"/> tall; lines that scroll off the top stay in <see cref="Lines"/>.
/// </summary>
internal sealed class TerminalScreen
{
    private readonly List<char[]> _lines = [];
    private int _row;
    private int _column;
    private bool _wrapPending;

    public TerminalScreen(int columns, int rows)
    {
        Columns = columns;
        Rows = rows;
        _lines.Add(NewLine());
    }

    public int Columns { get; }

    public int Rows { get; }

    /// <summary>Every line, scrollback included, without trailing blanks, trailing empty lines removed.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            var lines = _lines.Select(l => new string(l).TrimEnd()).ToList();
            while (lines.Count > 0 && lines[^1].Length == 0)
            {
                lines.RemoveAt(lines.Count - 1);
            }

            return lines;
        }
    }

    /// <summary>The visible screen: the last <see cref="Rows"/> lines, as <see cref="Lines"/> trims them.</summary>
    public IReadOnlyList<string> Visible => Lines.Skip(Math.Max(0, _lines.Count - Rows)).ToList();

    private int Top => Math.Max(0, _lines.Count - Rows);

    /// <summary>
    /// Replays <paramref name="output"/>. A recording of a real terminal (a <c>script</c> typescript)
    /// already has the tty's CR LF; bytes as a program wrote them need <paramref name="newlineReturns"/>,
    /// the tty's default translation of LF to CR LF.
    /// </summary>
    public static TerminalScreen Replay(byte[] output, int columns, int rows, bool newlineReturns = false)
    {
        var screen = new TerminalScreen(columns, rows);
        string text = Encoding.UTF8.GetString(output);
        screen.Write(newlineReturns ? text.Replace("\n", "\r\n", StringComparison.Ordinal) : text);
        return screen;
    }

    public void Write(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '\r':
                    _column = 0;
                    _wrapPending = false;
                    break;
                case '\n':
                    LineFeed();
                    break;
                case '\b':
                    _column = Math.Max(0, _column - 1);
                    _wrapPending = false;
                    break;
                case '\u001b':
                    i = Escape(text, i);
                    break;
                case '\a' or '\t' or '\0':
                    break;
                default:
                    if (!char.IsLowSurrogate(c))
                    {
                        Print(char.IsHighSurrogate(c) ? '?' : c);
                    }

                    break;
            }
        }
    }

    private void Print(char c)
    {
        if (_wrapPending)
        {
            _column = 0;
            LineFeed();
        }

        _lines[_row][_column] = c;
        if (_column == Columns - 1)
        {
            _wrapPending = true;
        }
        else
        {
            _column++;
        }
    }

    private void LineFeed()
    {
        _wrapPending = false;
        _row++;
        if (_row == _lines.Count)
        {
            _lines.Add(NewLine());
        }
    }

    /// <summary>Handles the escape sequence starting at <paramref name="start"/>; returns the index of its last character.</summary>
    private int Escape(string text, int start)
    {
        int i = start + 1;
        if (i >= text.Length)
        {
            return start;
        }

        if (text[i] == ']')
        {
            // OSC: up to BEL or ESC \.
            while (++i < text.Length && text[i] != '\a' && !(text[i] == '\u001b' && i + 1 < text.Length && text[i + 1] == '\\'))
            {
            }

            return text[Math.Min(i, text.Length - 1)] == '\u001b' ? i + 1 : i;
        }

        if (text[i] != '[')
        {
            // A two-character escape (charset selection, keypad mode, save/restore cursor): no effect here.
            return text[i] is '(' or ')' ? i + 1 : i;
        }

        int paramsStart = ++i;
        while (i < text.Length && text[i] is (>= '0' and <= '9') or ';' or '?' or '>' or '=')
        {
            i++;
        }

        if (i >= text.Length)
        {
            return text.Length - 1;
        }

        string parameters = text[paramsStart..i];
        Csi(text[i], parameters);
        return i;
    }

    private void Csi(char command, string parameters)
    {
        if (parameters.StartsWith('?') || parameters.StartsWith('>') || parameters.StartsWith('='))
        {
            return;
        }

        int[] numbers = parameters.Split(';').Select(p => int.TryParse(p, out int n) ? n : 0).ToArray();
        int First(int fallback) => numbers.Length > 0 && numbers[0] > 0 ? numbers[0] : fallback;
        int Arg(int index) => numbers.Length > index ? numbers[index] : 0;
        _wrapPending = false;
        switch (command)
        {
            case 'A':
                _row = Math.Max(Top, _row - First(1));
                break;
            case 'B':
                MoveDown(First(1));
                break;
            case 'C':
                _column = Math.Min(Columns - 1, _column + First(1));
                break;
            case 'D':
                _column = Math.Max(0, _column - First(1));
                break;
            case 'E':
                MoveDown(First(1));
                _column = 0;
                break;
            case 'F':
                _row = Math.Max(Top, _row - First(1));
                _column = 0;
                break;
            case 'G':
                _column = Math.Clamp(First(1) - 1, 0, Columns - 1);
                break;
            case 'H' or 'f':
                int top = Top;
                _row = top + Math.Clamp(First(1) - 1, 0, Rows - 1);
                while (_row >= _lines.Count)
                {
                    _lines.Add(NewLine());
                }

                _column = Math.Clamp((Arg(1) > 0 ? Arg(1) : 1) - 1, 0, Columns - 1);
                break;
            case 'K':
                EraseInLine(Arg(0));
                break;
            case 'J':
                EraseInDisplay(Arg(0));
                break;
        }
    }

    private void MoveDown(int count)
    {
        // Cursor down stops at the bottom of the screen; it never scrolls.
        _row = Math.Min(_row + count, Math.Max(_lines.Count - 1, Top + Rows - 1));
        while (_row >= _lines.Count)
        {
            _lines.Add(NewLine());
        }
    }

    private void EraseInLine(int mode)
    {
        char[] line = _lines[_row];
        (int from, int to) = mode switch
        {
            1 => (0, _column + 1),
            2 => (0, Columns),
            _ => (_column, Columns),
        };
        Array.Fill(line, ' ', from, Math.Min(to, Columns) - from);
    }

    private void EraseInDisplay(int mode)
    {
        if (mode == 0)
        {
            EraseInLine(0);
            for (int r = _row + 1; r < _lines.Count; r++)
            {
                Array.Fill(_lines[r], ' ');
            }
        }
        else if (mode == 1)
        {
            EraseInLine(1);
            for (int r = Top; r < _row; r++)
            {
                Array.Fill(_lines[r], ' ');
            }
        }
        else
        {
            for (int r = Top; r < _lines.Count; r++)
            {
                Array.Fill(_lines[r], ' ');
            }
        }
    }

    private char[] NewLine()
    {
        char[] line = new char[Columns];
        Array.Fill(line, ' ');
        return line;
    }
}
