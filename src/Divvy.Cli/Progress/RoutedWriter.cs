using System.Text;

namespace Divvy.Cli.Progress;

/// <summary>
/// A writer that passes everything to <see cref="Target"/>, which can change while it is in use:
/// the log is created before the run, and while a progress line is pinned its lines must go above it.
/// </summary>
internal sealed class RoutedWriter : TextWriter
{
    private volatile TextWriter _target;

    public RoutedWriter(TextWriter target)
    {
        _target = target;
    }

    public TextWriter Target
    {
        get => _target;
        set => _target = value;
    }

    public override Encoding Encoding => _target.Encoding;

    public override void Write(char value) => _target.Write(value);

    public override void Write(string? value) => _target.Write(value);

    public override void Write(char[] buffer, int index, int count) => _target.Write(buffer, index, count);

    // Whole, so a line reaches a synchronized target in one call and never interleaves with another writer's.
    public override void WriteLine(string? value) => _target.WriteLine(value);

    public override void WriteLine() => _target.WriteLine();

    public override void Flush() => _target.Flush();
}
