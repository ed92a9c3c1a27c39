using System.IO.Pipes;
using Divvy.Launching;

namespace Divvy.Tests.Launching;

/// <summary>The master's end of a worker pipe on Linux, against the other end of a real anonymous pipe in this process.</summary>
public sealed class NonBlockingPipeStreamTests
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Reads_what_the_other_end_writes_in_order_and_then_the_end_of_the_pipe()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        using var reader = new NonBlockingPipeStream(pipe.SafePipeHandle, reads: true);
        var writer = new AnonymousPipeClientStream(PipeDirection.Out, pipe.ClientSafePipeHandle);

        Task<byte[]> all = ReadToEndAsync(reader);
        for (int i = 0; i < 100; i++)
        {
            writer.Write([(byte)i]);
            await Task.Yield();
        }

        writer.Dispose();
        pipe.DisposeLocalCopyOfClientHandle();

        (await all.WaitAsync(s_patience)).Should().Equal(Enumerable.Range(0, 100).Select(i => (byte)i));
    }

    [Fact]
    public async Task A_read_waiting_on_an_empty_pipe_completes_when_bytes_arrive()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        using var reader = new NonBlockingPipeStream(pipe.SafePipeHandle, reads: true);
        using var writer = new AnonymousPipeClientStream(PipeDirection.Out, pipe.ClientSafePipeHandle);
        byte[] buffer = new byte[16];

        ValueTask<int> read = reader.ReadAsync(buffer);
        read.IsCompleted.Should().BeFalse("nothing was written yet");
        writer.Write("abc"u8);

        (await read.AsTask().WaitAsync(s_patience)).Should().Be(3);
        buffer[..3].Should().Equal("abc"u8.ToArray());
    }

    [Fact]
    public async Task A_write_bigger_than_the_pipe_completes_once_the_other_end_has_read_it_all()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        using var writer = new NonBlockingPipeStream(pipe.SafePipeHandle, reads: false);
        using var other = new AnonymousPipeClientStream(PipeDirection.In, pipe.ClientSafePipeHandle);
        byte[] payload = new byte[4 * 1024 * 1024];
        new Random(7).NextBytes(payload);

        Task write = writer.WriteAsync(payload).AsTask();
        byte[] received = new byte[payload.Length];
        int have = 0;
        while (have < received.Length)
        {
            have += await other.ReadAsync(received.AsMemory(have)).AsTask().WaitAsync(s_patience);
        }

        await write.WaitAsync(s_patience);
        received.Should().Equal(payload);
    }

    [Fact]
    public async Task Disposing_the_stream_ends_a_read_that_is_waiting()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        var reader = new NonBlockingPipeStream(pipe.SafePipeHandle, reads: true);
        using var writer = new AnonymousPipeClientStream(PipeDirection.Out, pipe.ClientSafePipeHandle);

        Task<int> read = reader.ReadAsync(new byte[16]).AsTask();
        reader.Dispose();

        await FluentActions.Awaiting(() => read.WaitAsync(s_patience)).Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public async Task A_cancelled_read_throws_and_the_next_read_still_gets_the_bytes()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        using var reader = new NonBlockingPipeStream(pipe.SafePipeHandle, reads: true);
        using var writer = new AnonymousPipeClientStream(PipeDirection.Out, pipe.ClientSafePipeHandle);
        using var cancel = new CancellationTokenSource();
        byte[] buffer = new byte[16];

        Task<int> read = reader.ReadAsync(buffer, cancel.Token).AsTask();
        await cancel.CancelAsync();
        await FluentActions.Awaiting(() => read.WaitAsync(s_patience)).Should().ThrowAsync<OperationCanceledException>();

        writer.Write("x"u8);
        (await reader.ReadAsync(buffer).AsTask().WaitAsync(s_patience)).Should().Be(1);
    }

    [Fact]
    public async Task Writing_after_the_other_end_closed_fails_with_an_IOException()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        using var writer = new NonBlockingPipeStream(pipe.SafePipeHandle, reads: false);
        pipe.DisposeLocalCopyOfClientHandle();

        await FluentActions.Awaiting(() => writer.WriteAsync(new byte[10]).AsTask()).Should().ThrowAsync<IOException>();
    }

    private static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        var all = new MemoryStream();
        byte[] buffer = new byte[7];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            all.Write(buffer, 0, read);
        }

        return all.ToArray();
    }
}
