using System.Text;

namespace Divvy.Cli.Exec;

/// <summary>
/// Collects one stream of a command: in memory up to a limit, then in a temporary file, so a task
/// that prints gigabytes costs disk, not memory. Optionally echoes each line live with a tag.
/// </summary>
internal sealed class OutputCapture : IDisposable
{
    private readonly long _memoryLimit;
    private readonly string _spillDirectory;
    private readonly MemoryStream _memory = new();
    private FileStream? _spill;
    private string? _spillPath;
    private long _length;

    /// <param name="memoryLimit">Bytes kept in memory before the output spills to a file.</param>
    /// <param name="spillDirectory">Where spill files go; the temporary directory when null.</param>
    public OutputCapture(long memoryLimit, string? spillDirectory = null)
    {
        _memoryLimit = memoryLimit;
        _spillDirectory = spillDirectory ?? Path.GetTempPath();
    }

    /// <summary>Reads the stream to its end.</summary>
    public async Task PumpAsync(Stream source, string? tag, TextWriter? live, CancellationToken cancellationToken)
    {
        if (tag is not null && live is not null)
        {
            // Live mode: each line goes out at once with its tag; nothing is kept.
            using var reader = new StreamReader(source, Encoding.UTF8);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                live.Write($"{tag}{line}\n");
            }

            return;
        }

        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            _length += n;
            if (_spill is null && _memory.Length + n > _memoryLimit)
            {
                // Made on first use: a run whose master is killed outright leaves no empty directory behind.
                CreatePrivateDirectory(_spillDirectory);
                _spillPath = Path.Combine(_spillDirectory, $"divvy-exec-{Environment.ProcessId}-{Guid.NewGuid():N}.out");
                _spill = new FileStream(_spillPath, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 64 * 1024, useAsync: true);
                _memory.Position = 0;
                await _memory.CopyToAsync(_spill, cancellationToken).ConfigureAwait(false);
                _memory.SetLength(0);
            }

            if (_spill is not null)
            {
                await _spill.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                _memory.Write(buffer, 0, n);
            }
        }

        if (_spill is not null)
        {
            await _spill.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Creates <paramref name="path"/> (owner only, where the system has modes) unless it is there already.</summary>
    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public CapturedOutput Result() => _spillPath is not null
        ? new CapturedOutput { SpillFile = _spillPath, Length = _length }
        : new CapturedOutput { Text = Encoding.UTF8.GetString(_memory.GetBuffer(), 0, (int)_memory.Length), Length = _length };

    public void Dispose()
    {
        _spill?.Dispose();
        _memory.Dispose();
    }
}
