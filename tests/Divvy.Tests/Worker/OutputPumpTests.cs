using System.Text;
using Divvy.Protocol;
using Divvy.Worker;
using Microsoft.Win32.SafeHandles;

namespace Divvy.Tests.Worker;

/// <summary>The pump over real pipes (as a TCP worker has under its stdout and stderr), with sinks that record.</summary>
public sealed class OutputPumpTests : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public void Dispose()
    {
        foreach (IDisposable owned in Enumerable.Reverse(_owned))
        {
            owned.Dispose();
        }
    }

    [Fact]
    public void A_drain_sends_everything_written_so_far_one_batch_per_stream_each_in_order_and_flushes_once()
    {
        var sink = new RecordingSink();
        (OutputPump pump, Stream stdout, Stream stderr) = Open(sink);
        var expectedOut = new StringBuilder();
        var expectedErr = new StringBuilder();
        for (int i = 0; i < 100; i++)
        {
            Write(stdout, $"out {i}\n", expectedOut);
            if (i % 2 == 0)
            {
                Write(stderr, $"err {i}\n", expectedErr);
            }
        }

        pump.Drain();

        sink.Text(StandardStream.Output).Should().Be(expectedOut.ToString());
        sink.Text(StandardStream.Error).Should().Be(expectedErr.ToString());
        sink.Writes.Should().HaveCount(2, "a hundred writes travel as one batch per stream, not one frame each");
        sink.Flushes.Should().Be(1);
    }

    [Fact]
    public void A_drain_with_nothing_written_sends_nothing_and_flushes_nothing()
    {
        var sink = new RecordingSink();
        (OutputPump pump, _, _) = Open(sink);

        pump.Drain();

        sink.Writes.Should().BeEmpty();
        sink.Flushes.Should().Be(0, "an item that printed nothing must not cut the worker's batch of results short");
    }

    [Fact]
    public async Task Output_goes_on_without_a_drain_once_it_has_waited_the_flush_interval()
    {
        var sink = new RecordingSink();
        (OutputPump pump, Stream stdout, _) = Open(sink);
        pump.Start();

        stdout.Write("waiting\n"u8);

        await sink.WaitForAsync(StandardStream.Output, "waiting\n".Length);
        sink.Text(StandardStream.Output).Should().Be("waiting\n");
        sink.Flushes.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task Between_drains_a_batch_goes_when_full_not_at_every_write()
    {
        var sink = new RecordingSink();
        (OutputPump pump, Stream stdout, _) = Open(sink, batchBytes: 1024, flushInterval: TimeSpan.FromHours(1));
        pump.Start();

        byte[] piece = Encoding.ASCII.GetBytes("0123456789abcde\n");
        for (int i = 0; i < 10 * 1024 / piece.Length; i++)
        {
            stdout.Write(piece);
        }

        await sink.WaitForAsync(StandardStream.Output, 9 * 1024);
        sink.Writes.Should().OnlyContain(w => w.Bytes.Length == 1024, "with no drain and no time limit reached, only full batches go");
    }

    [Fact]
    public async Task A_flood_waits_on_the_full_pipe_while_the_sink_is_blocked_and_arrives_whole_and_in_order_with_at_most_one_batch_held()
    {
        using var release = new ManualResetEventSlim();
        var sink = new RecordingSink(release);
        (OutputPump pump, Stream stdout, _) = Open(sink, batchBytes: 1024);
        pump.Start();
        byte[] flood = Enumerable.Range(0, 8 * 1024 * 1024).Select(i => (byte)(i % 251)).ToArray();

        Task writer = Task.Run(() => stdout.Write(flood));
        try
        {
            await sink.Blocked.Task.WaitAsync(TimeSpan.FromSeconds(60));

            // The pipe holds 64 KiB and the pump one batch: 8 MiB cannot all be written while the
            // sink (the master) takes nothing. (Only a slow machine could make this pass wrongly; it cannot fail wrongly.)
            await Task.WhenAny(writer, Task.Delay(500));
            writer.IsCompleted.Should().BeFalse("the writer waits; the worker does not buffer the flood");
        }
        finally
        {
            release.Set();
        }

        await writer.WaitAsync(TimeSpan.FromSeconds(60));
        pump.Drain();
        sink.Bytes(StandardStream.Output).Should().Equal(flood, "nothing is dropped or reordered");
        sink.Writes.Should().OnlyContain(w => w.Bytes.Length <= 1024);
    }

    [Fact]
    public void When_the_sink_fails_what_failed_and_everything_after_goes_to_the_fallback_and_the_loss_is_told_once()
    {
        var sink = new RecordingSink { Broken = true };
        var fallback = new RecordingSink();
        int lost = 0;
        (OutputPump pump, Stream stdout, Stream stderr) = Open(sink, fallback: fallback, sinkLost: () => lost++);

        stdout.Write("first\n"u8);
        pump.Drain();
        stderr.Write("second\n"u8);
        pump.Drain();

        fallback.Text(StandardStream.Output).Should().Be("first\n");
        fallback.Text(StandardStream.Error).Should().Be("second\n");
        lost.Should().Be(1);
    }

    [Fact]
    public void Last_words_follow_what_was_already_written_to_stderr()
    {
        var sink = new RecordingSink();
        (OutputPump pump, _, Stream stderr) = Open(sink);

        stderr.Write("working\n"u8);
        pump.TryDrain(TimeSpan.FromSeconds(5), "Unhandled exception. boom\n"u8).Should().BeTrue();

        sink.Text(StandardStream.Error).Should().Be("working\nUnhandled exception. boom\n");
    }

    [Fact]
    public void After_switching_to_the_fallback_what_was_pending_and_what_comes_later_go_there()
    {
        var sink = new RecordingSink();
        var fallback = new RecordingSink();
        (OutputPump pump, Stream stdout, _) = Open(sink, fallback: fallback);

        stdout.Write("pending\n"u8);
        pump.TrySwitchToFallback(TimeSpan.FromSeconds(5)).Should().BeTrue();
        stdout.Write("later\n"u8);
        pump.Drain();

        sink.Writes.Should().BeEmpty();
        fallback.Text(StandardStream.Output).Should().Be("pending\nlater\n");
    }

    private (OutputPump Pump, Stream Stdout, Stream Stderr) Open(RecordingSink sink, int batchBytes = 32 * 1024, RecordingSink? fallback = null, Action? sinkLost = null, TimeSpan? flushInterval = null)
    {
        (int outRead, int outWrite) = Posix.OpenPipe();
        (int errRead, int errWrite) = Posix.OpenPipe();
        var pump = new OutputPump(outRead, errRead, sink, fallback ?? new RecordingSink(), batchBytes, sinkLost, flushInterval);
        Stream stdout = WriteEnd(outWrite);
        Stream stderr = WriteEnd(errWrite);

        // Disposed in reverse: the write ends first, then the pump (its thread, and the read ends).
        _owned.Add(pump);
        _owned.Add(stdout);
        _owned.Add(stderr);
        return (pump, stdout, stderr);
    }

    private static Stream WriteEnd(int fd) => new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, bufferSize: 0);

    private static void Write(Stream stream, string text, StringBuilder expected)
    {
        stream.Write(Encoding.UTF8.GetBytes(text));
        expected.Append(text);
    }

    /// <summary>Records what it is given; can block in <see cref="Write"/> until released, or fail.</summary>
    private sealed class RecordingSink(ManualResetEventSlim? release = null) : IOutputSink
    {
        private readonly Lock _gate = new();
        private readonly List<(StandardStream Stream, byte[] Bytes)> _writes = [];
        private int _flushes;

        public bool Broken { get; init; }

        /// <summary>Completes when a write first waits for the release.</summary>
        public TaskCompletionSource Blocked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<(StandardStream Stream, byte[] Bytes)> Writes
        {
            get
            {
                lock (_gate)
                {
                    return [.. _writes];
                }
            }
        }

        public int Flushes => Volatile.Read(ref _flushes);

        public void Write(StandardStream stream, ReadOnlySpan<byte> bytes)
        {
            if (Broken)
            {
                throw new IOException("the master is gone");
            }

            if (release is { IsSet: false })
            {
                Blocked.TrySetResult();
                release.Wait();
            }

            lock (_gate)
            {
                _writes.Add((stream, bytes.ToArray()));
            }
        }

        public void Flush()
        {
            if (Broken)
            {
                throw new IOException("the master is gone");
            }

            Interlocked.Increment(ref _flushes);
        }

        public byte[] Bytes(StandardStream stream) => [.. Writes.Where(w => w.Stream == stream).SelectMany(w => w.Bytes)];

        public string Text(StandardStream stream) => Encoding.UTF8.GetString(Bytes(stream));

        public async Task WaitForAsync(StandardStream stream, int bytes)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (Bytes(stream).Length < bytes)
            {
                await Task.Delay(10, timeout.Token);
            }
        }
    }
}
