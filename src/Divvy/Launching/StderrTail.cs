namespace Divvy.Launching;

/// <summary>The last lines a worker wrote to standard error, kept to explain its death.</summary>
internal sealed class StderrTail
{
    private const int MaxLineLength = 500;
    private readonly Queue<string> _lines = new();
    private readonly int _capacity;

    public StderrTail(int capacity)
    {
        _capacity = capacity;
    }

    public void Add(string line)
    {
        lock (_lines)
        {
            if (_lines.Count == _capacity)
            {
                _lines.Dequeue();
            }

            _lines.Enqueue(line.Length > MaxLineLength ? string.Concat(line.AsSpan(0, MaxLineLength), "…") : line);
        }
    }

    public IReadOnlyList<string> Snapshot()
    {
        lock (_lines)
        {
            return _lines.ToArray();
        }
    }
}
