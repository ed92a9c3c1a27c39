using System.Buffers;

namespace Divvy.Framing;

/// <summary>
/// A pooled array that the messages decoded from one frame point into. Each of them holds it
/// once; the array goes back to <see cref="ArrayPool{T}.Shared"/> when the last lets go. A holder
/// that never lets go (its message was dropped) only costs the pool that array: the garbage
/// collector takes it as it would any other.
/// </summary>
internal sealed class FrameLease
{
    private byte[]? _array;
    private int _holders;

    /// <param name="array">From <see cref="ArrayPool{T}.Shared"/>; the lease returns it.</param>
    public FrameLease(byte[] array)
    {
        _array = array;
    }

    /// <summary>Whether the array is still out of the pool: for tests.</summary>
    public bool IsHeld => Volatile.Read(ref _array) is not null;

    /// <summary>Sets how many holders must let go before the array returns; once, before any of them can.</summary>
    public void Hold(int holders)
    {
        _holders = holders;
        if (holders == 0)
        {
            Return();
        }
    }

    /// <summary>One holder is done with the bytes; the last returns the array.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _holders) == 0)
        {
            Return();
        }
    }

    private void Return()
    {
        if (Interlocked.Exchange(ref _array, null) is { } array)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
