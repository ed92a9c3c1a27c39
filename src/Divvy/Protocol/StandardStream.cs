namespace Divvy.Protocol;

/// <summary>Which of a worker's two output streams an <see cref="OutputMessage"/> carries; the numbers are the file descriptors, and part of the wire format.</summary>
internal enum StandardStream
{
    /// <summary>Standard output (file descriptor 1).</summary>
    Output = 1,

    /// <summary>Standard error (file descriptor 2).</summary>
    Error = 2,
}
