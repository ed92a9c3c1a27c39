using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Divvy.Journaling;

/// <summary>
/// The file <see cref="MasterOptions.Journal"/> names: every item a run settled, appended as it
/// settles, so that a later run with the same journal skips what is done. Appends go to the
/// operating system once per scheduler step, so a master killed outright (SIGKILL, a power cut
/// aside) loses from it at most the records of the step it was in; a record it cut short is
/// recognised by its checksum and dropped when the journal is opened again. One run at a time:
/// the file is locked while it is open.
/// </summary>
internal sealed class RunJournal : IDisposable
{
    private const int ReadChunk = 1 << 20;
    private const int FlushAt = 1 << 20;
    private static ReadOnlySpan<byte> Magic => "DIVVYJ1\n"u8;

    private readonly FileStream _file;
    private readonly SafeFileHandle _handle;
    private readonly Dictionary<UInt128, Entry> _earlier;
    private readonly bool _retryFailed;
    private readonly ArrayBufferWriter<byte> _pending = new(64 * 1024);
    private long _length;

    // What Find read last: a window of the file, from _windowAt.
    private readonly Lock _windowGate = new();
    private byte[] _window = new byte[ReadChunk];
    private long _windowAt;
    private int _windowFilled;

    private RunJournal(string path, FileStream file, Dictionary<UInt128, Entry> earlier, long length, long tornBytes, bool retryFailed)
    {
        Path = path;
        _file = file;
        _handle = file.SafeFileHandle;
        _earlier = earlier;
        _length = length;
        TornBytes = tornBytes;
        _retryFailed = retryFailed;
    }

    /// <summary>The journal's file.</summary>
    public string Path { get; }

    /// <summary>Items the journal knew as settled when it was opened (the latest record of each key).</summary>
    public int Earlier => _earlier.Count;

    /// <summary>Of <see cref="Earlier"/>, how many succeeded.</summary>
    public int EarlierSucceeded => _earlier.Values.Count(e => e.Status == ItemStatus.Succeeded);

    /// <summary>Bytes of a record cut short at the end, dropped on opening; 0 for a journal closed cleanly.</summary>
    public long TornBytes { get; }

    /// <summary>
    /// Opens the journal at <paramref name="path"/>, creating it if there is none, and reads what it
    /// holds. With <paramref name="retryFailed"/>, items that did not succeed earlier run again.
    /// </summary>
    /// <exception cref="RunSetupException">The file cannot be opened, another run holds it, or it is not a Divvy journal.</exception>
    public static RunJournal Open(string path, bool retryFailed)
    {
        FileStream file;
        try
        {
            // FileShare.None takes an exclusive lock (flock on Unix): two runs never append to one journal.
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new RunSetupException($"the journal {path} is in use by another run, or cannot be opened: {ex.Message} (MasterOptions.Journal, divvy --journal)", ex);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or DirectoryNotFoundException or FileNotFoundException or NotSupportedException or ArgumentException)
        {
            throw new RunSetupException($"cannot open the journal {path}: {ex.Message} (MasterOptions.Journal, divvy --journal)", ex);
        }

        try
        {
            return Load(path, file, retryFailed);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether an item with this key settled in an earlier run and is skipped now: it succeeded, or
    /// it did not and failed items are not run again. Safe to call from any thread.
    /// </summary>
    public bool Skips(JournalKey key) =>
        _earlier.TryGetValue(key.Hash, out Entry entry) && (entry.Status == ItemStatus.Succeeded || !_retryFailed);

    /// <summary>
    /// The latest earlier record of the item with this key, read from the file; <c>null</c> if there
    /// is none. Records are read a window of the file at a time: a run that yields its items in the
    /// order of the earlier one reads its journal through once. Safe to call from any thread.
    /// </summary>
    public JournalRecord? Find(JournalKey key)
    {
        if (!_earlier.TryGetValue(key.Hash, out Entry entry))
        {
            return null;
        }

        lock (_windowGate)
        {
            if (entry.Offset < _windowAt || entry.Offset + entry.Length > _windowAt + _windowFilled)
            {
                if (entry.Length > _window.Length)
                {
                    _window = new byte[entry.Length];
                }

                _windowAt = entry.Offset;
                _windowFilled = RandomAccess.Read(_handle, _window, entry.Offset);
            }

            return JournalRecord.TryRead(_window.AsSpan((int)(entry.Offset - _windowAt), entry.Length), out _);
        }
    }

    /// <summary>
    /// Appends a settled item; it reaches the file at the next <see cref="Flush"/>, or sooner when
    /// much is pending. A success keeps its result, <paramref name="writeResult"/> serializing
    /// <paramref name="result"/> into the journal; anything else keeps the item's
    /// <paramref name="payload"/>, so that it can be run again on its own, and its error.
    /// </summary>
    public void Record(JournalKey key, ItemStatus status, int attempts, TimeSpan duration, Action<IBufferWriter<byte>, object?>? writeResult, object? result, ReadOnlyMemory<byte>? payload, RemoteError? error)
    {
        JournalRecord.Write(_pending, key, status, attempts, duration, writeResult, result, payload, error);
        if (_pending.WrittenCount >= FlushAt)
        {
            Flush();
        }
    }

    /// <summary>Hands what was recorded to the operating system: from here it survives the master being killed.</summary>
    public void Flush()
    {
        if (_pending.WrittenCount == 0)
        {
            return;
        }

        RandomAccess.Write(_handle, _pending.WrittenSpan, _length);
        _length += _pending.WrittenCount;
        _pending.ResetWrittenCount();
    }

    /// <summary>Flushes and closes the journal, releasing its lock.</summary>
    public void Dispose()
    {
        try
        {
            Flush();
        }
        finally
        {
            _file.Dispose();
        }
    }

    /// <summary>Every key's latest record in a journal, read without a run (<c>divvy replay</c>); the file is opened for reading only.</summary>
    /// <exception cref="RunSetupException">The file cannot be read, or is not a Divvy journal.</exception>
    public static IReadOnlyList<JournalRecord> ReadAll(string path)
    {
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new RunSetupException($"cannot read the journal {path}: {ex.Message}", ex);
        }

        CheckMagic(path, data);
        var latest = new Dictionary<UInt128, JournalRecord>();
        int offset = Magic.Length;
        while (JournalRecord.TryRead(data.AsSpan(offset), out int length) is { } record)
        {
            latest[record.Key.Hash] = record;
            offset += length;
        }

        return [.. latest.Values];
    }

    private static RunJournal Load(string path, FileStream file, bool retryFailed)
    {
        SafeFileHandle handle = file.SafeFileHandle;
        long size = RandomAccess.GetLength(handle);
        var earlier = new Dictionary<UInt128, Entry>();
        if (size == 0)
        {
            RandomAccess.Write(handle, Magic, 0);
            return new RunJournal(path, file, earlier, Magic.Length, 0, retryFailed);
        }

        byte[] buffer = new byte[ReadChunk];
        int head = RandomAccess.Read(handle, buffer.AsSpan(0, (int)Math.Min(Magic.Length, size)), 0);
        CheckMagic(path, buffer.AsSpan(0, head));

        // Records are read through a window on the file: a record the window cuts is read again
        // whole once the rest of the file moves in (the window grows for a record bigger than it).
        long windowAt = Magic.Length;
        int filled = RandomAccess.Read(handle, buffer, windowAt);
        int used = 0;
        while (true)
        {
            if (JournalRecord.TryPeek(buffer.AsSpan(used, filled - used), out int length, out UInt128 key, out ItemStatus status))
            {
                earlier[key] = new Entry(windowAt + used, length, status);
                used += length;
                continue;
            }

            if (windowAt + filled >= size)
            {
                break;
            }

            int rest = filled - used;
            if (rest == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            Buffer.BlockCopy(buffer, used, buffer, 0, rest);
            windowAt += used;
            used = 0;
            filled = rest + RandomAccess.Read(handle, buffer.AsSpan(rest), windowAt + rest);
        }

        long good = windowAt + used;
        long torn = size - good;
        if (torn > 0)
        {
            if (!IsTornEnd(buffer.AsSpan(used, filled - used), torn))
            {
                throw new RunSetupException($"the journal {path} is damaged at byte {good:N0} of {size:N0}, before its end: move it aside and name a new one (MasterOptions.Journal, divvy --journal)");
            }

            // What a master killed mid-write left: dropped, so the next record starts cleanly.
            RandomAccess.SetLength(handle, good);
        }

        return new RunJournal(path, file, earlier, good, torn, retryFailed);
    }

    /// <summary>
    /// Whether what follows the last whole record is the end of a record cut short (or zeros a
    /// file system left), not a record garbled in the middle of the journal with more after it.
    /// </summary>
    private static bool IsTornEnd(ReadOnlySpan<byte> rest, long restLength)
    {
        if (restLength < JournalRecord.HeaderSize || !rest.ContainsAnyExcept((byte)0))
        {
            return true;
        }

        int claimed = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(rest);
        return claimed > 0 && JournalRecord.HeaderSize + (long)claimed > restLength;
    }

    private static void CheckMagic(string path, ReadOnlySpan<byte> data)
    {
        if (!data.StartsWith(Magic))
        {
            throw new RunSetupException($"{path} is not a Divvy journal (it does not start as one): name a new file, or the journal of an earlier run (MasterOptions.Journal, divvy --journal)");
        }
    }

    /// <summary>Where a key's latest record is, and how it settled.</summary>
    private readonly record struct Entry(long Offset, int Length, ItemStatus Status);
}
