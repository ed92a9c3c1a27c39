namespace Divvy;

/// <summary>
/// A frame is larger than <see cref="MasterOptions.MaxFrameSize"/>. Raised before any buffer for
/// the frame is allocated, so a corrupt length prefix cannot exhaust memory.
/// </summary>
public sealed class FrameTooLargeException : ProtocolException
{
    /// <summary>Creates the exception for a frame of <paramref name="size"/> bytes against a limit of <paramref name="limit"/>.</summary>
    public FrameTooLargeException(long size, int limit)
        : base($"frame of {size:N0} bytes exceeds the maximum frame size of {limit:N0} bytes (MasterOptions.MaxFrameSize, divvy --max-frame-size)")
    {
        Size = size;
        Limit = limit;
    }

    /// <summary>The size the frame claimed or needed, in bytes.</summary>
    public long Size { get; }

    /// <summary>The limit in force, in bytes.</summary>
    public int Limit { get; }
}
