using System.Buffers;

namespace Divvy.Jobs;

/// <summary>
/// A buffer writer over arrays from <see cref="ArrayPool{T}.Shared"/>, whose array is handed over
/// whole when done: an item serialized into it needs no copy to become the item's pooled payload.
/// </summary>
/// <remarks>Not thread-safe: one per thread.</remarks>
internal sealed class PooledBufferWriter : IBufferWriter<byte>
{
    private const int MinimumSize = 256;

    private readonly int _maxPooledArray;
    private byte[] _array = [];
    private int _written;

    /// <param name="maxPooledArray">Arrays bigger than this are not given back to the pool, which would keep them for the run.</param>
    public PooledBufferWriter(int maxPooledArray)
    {
        _maxPooledArray = maxPooledArray;
    }

    /// <summary>Bytes written since <see cref="Start"/>.</summary>
    public int WrittenCount => _written;

    /// <summary>Starts a new value with room for about <paramref name="expected"/> bytes (what the last one took, say).</summary>
    public void Start(int expected)
    {
        Abandon();
        _array = ArrayPool<byte>.Shared.Rent(Math.Max(MinimumSize, expected));
    }

    /// <summary>Hands over the array with the value in its first <see cref="WrittenCount"/> bytes; the caller returns it to the pool.</summary>
    public byte[] Detach()
    {
        byte[] array = _array;
        _array = [];
        _written = 0;
        return array;
    }

    /// <summary>Drops what was written (a value that failed half-way) and gives the array back.</summary>
    public void Abandon()
    {
        GiveBack(_array);
        _array = [];
        _written = 0;
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _array.Length - _written);
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsSpan(_written);
    }

    private void Ensure(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_array.Length - _written >= needed)
        {
            return;
        }

        byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(checked(_written + needed), Math.Max(MinimumSize, _array.Length * 2)));
        _array.AsSpan(0, _written).CopyTo(bigger);
        GiveBack(_array);
        _array = bigger;
    }

    private void GiveBack(byte[] array)
    {
        if (array.Length > 0 && array.Length <= _maxPooledArray)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
