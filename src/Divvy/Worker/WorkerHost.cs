using System.Diagnostics;
using System.IO.Pipes;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Divvy.Framing;
using Divvy.Jobs;
using Divvy.Launching;
using Divvy.Protocol;
using MessagePack;

namespace Divvy.Worker;

/// <summary>
/// The loop a worker process runs instead of the master: read items, perform them one at a time,
/// send results back. A dedicated thread reads the pipe, so items arrive while <c>Perform</c> runs
/// and the death of the master is noticed even in the middle of an item.
/// </summary>
internal sealed class WorkerHost<TItem, TResult>
{
    private static readonly TimeSpan s_parentPoll = TimeSpan.FromMilliseconds(200);
    private const int StartFrameLimit = 64 * 1024;

    private readonly IParallelizable<TItem, TResult> _job;
    private readonly Stream _down;
    private readonly Stream _up;
    private readonly int? _masterProcessId;
    private readonly Action<int> _exitProcess;
    private readonly Channel<ItemMessage> _items = Channel.CreateUnbounded<ItemMessage>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly List<PosixSignalRegistration> _signals = [];
    private int _workerNumber;

    /// <summary>
    /// A worker loop over any pair of streams. <paramref name="exitProcess"/> ends the process when
    /// the master is gone mid-run; <paramref name="masterProcessId"/>, when given, is watched as
    /// the parent as a backstop for the pipe.
    /// </summary>
    public WorkerHost(IParallelizable<TItem, TResult> job, Stream down, Stream up, int? masterProcessId, Action<int> exitProcess)
    {
        _job = job;
        _down = down;
        _up = up;
        _masterProcessId = masterProcessId;
        _exitProcess = exitProcess;
    }

    /// <summary>Runs the loop of a real worker process on the pipes its marker names; returns the exit code.</summary>
    public static async Task<int> RunInProcessAsync(IParallelizable<TItem, TResult> job, WorkerChannelInfo channel)
    {
        using var down = new AnonymousPipeClientStream(PipeDirection.In, channel.DownHandle);
        using var up = new AnonymousPipeClientStream(PipeDirection.Out, channel.UpHandle);
        FileDescriptors.SetCloseOnExec(down.SafePipeHandle);
        FileDescriptors.SetCloseOnExec(up.SafePipeHandle);
        var host = new WorkerHost<TItem, TResult>(job, down, up, channel.MasterProcessId, Environment.Exit);
        host.IgnoreTerminalSignals();
        return await host.RunAsync().ConfigureAwait(false);
    }

    public async Task<int> RunAsync()
    {
        Stream down = _down;
        Stream up = _up;
        FrameReader reader = new(down, StartFrameLimit);
        var writer = new FrameWriter(up, MasterOptions.DefaultMaxFrameSize);
        StartMessage start;
        try
        {
            start = reader.Read() is { } frame && MessageCodec.Read(frame) is StartMessage s
                ? s
                : throw new ProtocolException("the master's first message was not Start");
        }
        catch (ProtocolException ex)
        {
            return Fatal(writer, "protocol", ex, WorkerExitCodes.ProtocolError);
        }

        if (start.ProtocolVersion != WireProtocol.Version)
        {
            var mismatch = new ProtocolException($"protocol version mismatch: the master speaks {start.ProtocolVersion}, this worker {WireProtocol.Version}; build the job against the same Divvy version as the master");
            return Fatal(writer, "protocol", mismatch, WorkerExitCodes.ProtocolError);
        }

        reader.MaxFrameSize = start.MaxFrameSize;
        writer = new FrameWriter(up, start.MaxFrameSize);
        _workerNumber = start.WorkerNumber;
        var info = new WorkerInfo(start.WorkerNumber, Environment.ProcessId);
        try
        {
            _job.AfterSpawn(info);
        }
        catch (Exception ex)
        {
            // Any exception from user code in the boot hook ends this worker with its story told.
            return Fatal(writer, "AfterSpawn", ex, WorkerExitCodes.AfterSpawnFailed);
        }

        Write(writer, new ReadyMessage(WireProtocol.Version, Environment.ProcessId));
        writer.Flush();

        StartThread("divvy-reader", () => ReadLoop(reader));
        if (_masterProcessId is { } master)
        {
            StartThread("divvy-orphan-watch", () => WatchParent(master));
        }

        while (await _items.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (_items.Reader.TryRead(out ItemMessage? item))
            {
                await PerformAsync(item, writer).ConfigureAwait(false);
                if (!_items.Reader.TryPeek(out _))
                {
                    // Nothing else queued: send what is pending now rather than hold results back.
                    writer.Flush();
                }
            }
        }

        writer.Flush();
        return WorkerExitCodes.Finished;
    }

    private async ValueTask PerformAsync(ItemMessage item, FrameWriter writer)
    {
        long started = Stopwatch.GetTimestamp();
        TResult result;
        try
        {
            TItem value = MessagePackSerializer.Deserialize<TItem>(item.Payload, Serialization.Options);
            result = await _job.PerformAsync(value, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Whatever Perform throws belongs to this item alone; the worker carries on.
            Write(writer, new FailureMessage(item.Id, Stopwatch.GetElapsedTime(started).Ticks, RemoteError.From(ex)));
            return;
        }

        long elapsed = Stopwatch.GetElapsedTime(started).Ticks;
        try
        {
            MessageCodec.WriteResult(writer, item.Id, elapsed, result, Serialization.Options);
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or FrameTooLargeException)
        {
            // The result cannot travel (unserializable, or over the frame limit): the item fails, not the worker.
            Write(writer, new FailureMessage(item.Id, elapsed, RemoteError.From(ex)));
        }
    }

    private void ReadLoop(FrameReader reader)
    {
        try
        {
            while (reader.Read() is { } frame)
            {
                switch (MessageCodec.Read(frame))
                {
                    case ItemMessage item:
                        // The frame buffer is reused by the next read: the item keeps its own copy.
                        _items.Writer.TryWrite(item with { Payload = item.Payload.ToArray() });
                        break;
                    case StopMessage:
                        _items.Writer.TryComplete();
                        return;
                    case Message other:
                        throw new ProtocolException($"unexpected {other.Kind} message from the master");
                }
            }
        }
        catch (ProtocolException ex)
        {
            Console.Error.WriteLine($"divvy worker {_workerNumber}, pid {Environment.ProcessId}: {ex.Message}; exiting");
            _exitProcess(WorkerExitCodes.ProtocolError);
            return;
        }
        catch (IOException)
        {
            // A broken pipe is the master going away, handled below like a clean end of stream.
        }

        // The pipe ended without Stop: the master is gone. Leave at once, even mid-item.
        _exitProcess(WorkerExitCodes.MasterGone);
    }

    private void WatchParent(int master)
    {
        // Backstop for the pipe: if the master dies and something still holds the pipe open, the
        // change of parent still tells us.
        while (true)
        {
            Thread.Sleep(s_parentPoll);
            int parent = ParentProcess.Id;
            if (parent >= 0 && parent != master)
            {
                _exitProcess(WorkerExitCodes.MasterGone);
                return;
            }
        }
    }

    private void IgnoreTerminalSignals()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // Ctrl-C reaches the whole foreground process group. The master decides what a stop
        // means (finish the item in hand); a worker must not die of the keystroke itself.
        _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true));
        _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGQUIT, context => context.Cancel = true));
    }

    private static int Fatal(FrameWriter writer, string stage, Exception error, int exitCode)
    {
        try
        {
            Write(writer, new FatalMessage(stage, RemoteError.From(error)));
            writer.Flush();
        }
        catch (IOException)
        {
            // The master is gone too; the exit code still tells the story.
        }

        Console.Error.WriteLine($"divvy worker, pid {Environment.ProcessId}: {stage} failed: {RemoteError.From(error)}");
        return exitCode;
    }

    private static void Write(FrameWriter writer, Message message)
    {
        MessageCodec.Write(writer.BeginFrame(), message);
        writer.EndFrame();
    }

    private static void StartThread(string name, Action body) =>
        new Thread(() => body()) { IsBackground = true, Name = name }.Start();
}
