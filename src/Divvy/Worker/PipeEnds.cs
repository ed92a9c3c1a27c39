using System.Globalization;
using System.IO.Pipes;
using System.Runtime.CompilerServices;
using Divvy.Launching;
using Microsoft.Win32.SafeHandles;

namespace Divvy.Worker;

/// <summary>
/// Opens a worker's ends of its two pipes from the handles its marker names. On Unix they become
/// plain unbuffered file streams over the inherited descriptors: .NET's PipeStream drives a pipe
/// through a socket, and loading the socket stack costs every worker about 5 ms of start-up for
/// I/O that is blocking anyway (a dedicated thread reads; writes are serialized under a lock).
/// </summary>
internal static class PipeEnds
{
    public static (Stream Down, Stream Up) Open(WorkerEndpoint.Pipes channel)
    {
        if (OperatingSystem.IsWindows())
        {
            return OpenPipeStreams(channel);
        }

        FileStream down = Open(channel.DownHandle, FileAccess.Read);
        FileStream up = Open(channel.UpHandle, FileAccess.Write);
        return (down, up);
    }

    // A method of its own, so that compiling Open does not load System.IO.Pipes where it is not used.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Stream Down, Stream Up) OpenPipeStreams(WorkerEndpoint.Pipes channel) =>
        (new AnonymousPipeClientStream(PipeDirection.In, channel.DownHandle), new AnonymousPipeClientStream(PipeDirection.Out, channel.UpHandle));

    private static FileStream Open(string handle, FileAccess access)
    {
        if (!int.TryParse(handle, NumberStyles.None, CultureInfo.InvariantCulture, out int descriptor))
        {
            throw new IOException($"the worker marker names pipe handle '{handle}', which is not a file descriptor");
        }

        var safe = new SafeFileHandle(descriptor, ownsHandle: true);
        FileDescriptors.SetCloseOnExec(safe);
        return new FileStream(safe, access, bufferSize: 0);
    }
}
