using System.Diagnostics;
using System.Runtime.InteropServices;
using Divvy.Framing;
using Divvy.Protocol;
using Divvy.Transport.Tcp;
using MessagePack;

namespace Divvy.Worker;

/// <summary>
/// The loop a worker process runs instead of the master: read items, perform them one at a time
/// (or up to K at once: WorkerHost.Concurrent.cs), send results back. A dedicated thread reads the pipe, so items arrive while <c>Perform</c> runs
/// and the death of the master is noticed even in the middle of an item. Over TCP, where there is
/// no parent to watch, a master silent past its heartbeat timeout counts as dead, and the worker
/// says Goodbye before it closes, so the master can tell a worker leaving from a connection lost.
/// </summary>
internal sealed partial class WorkerHost
{
    private static readonly TimeSpan s_parentPoll = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan s_goodbyeWait = TimeSpan.FromSeconds(2);
    private const int StartFrameLimit = 64 * 1024;
    private const int ResultsPerFlush = 64;
    private const int FlushEveryBytes = 256 * 1024;
    private const int MaxItemsPerHandOff = 256;

    private readonly IWorkerJob _job;
    private readonly Stream _down;
    private readonly Stream _up;
    private readonly int? _masterProcessId;
    private readonly Action<int> _exitProcess;
    private readonly TcpSession? _session;
    private readonly bool _captureOutput;
    private readonly ManualResetEventSlim _readerDone = new();
    // Items travel from the reader thread to the item loop in batches: what one read brought in.
    private readonly ItemInbox _inbox = new();
    private readonly List<PosixSignalRegistration> _signals = [];
    private readonly Lock _writeLock = new();
    private int _workerNumber;
    private StartMessage _start = new(WireProtocol.Version, 0, MasterOptions.DefaultMaxFrameSize);
    private long _performed;
    private long _bornAt;
    private volatile bool _finishing;
    private volatile bool _booting;
    private long _lastHeard = Stopwatch.GetTimestamp();
    private TimeSpan _silenceLimit;
    private FrameWriter? _writer;

    // The item loop's results, several per frame; closed before any other frame is written.
    private ResultBatchWriter? _results;
    private bool _readerStarted;

    /// <summary>
    /// A worker loop over any pair of streams. <paramref name="exitProcess"/> ends the process when
    /// the master is gone mid-run; <paramref name="masterProcessId"/>, when given, is watched as
    /// the parent as a backstop for the pipe. With a TCP <paramref name="session"/>, the master's
    /// silence is watched instead, and the worker says Goodbye before it closes. With
    /// <paramref name="captureOutput"/> (a TCP worker process), what the process writes to its
    /// stdout and stderr goes to the master (WorkerHost.Output.cs).
    /// </summary>
    public WorkerHost(IWorkerJob job, Stream down, Stream up, int? masterProcessId, Action<int> exitProcess, TcpSession? session = null, bool captureOutput = false)
    {
        _job = job;
        _down = down;
        _up = up;
        _masterProcessId = masterProcessId;
        _exitProcess = exitProcess;
        _session = session;
        _captureOutput = captureOutput && session is not null;
        _silenceLimit = session?.Terms.HeartbeatTimeout ?? Timeout.InfiniteTimeSpan;
    }

    /// <summary>
    /// Runs the worker loop to its end, blocking the caller; returns the process exit code. Over
    /// TCP, Goodbye follows the loop's end.
    /// </summary>
    public int Run()
    {
        int exitCode;
        try
        {
            exitCode = RunLoop();
        }
        finally
        {
            StopWatchingHeldResults();
        }

        if (_session is not null)
        {
            SayGoodbye(exitCode);
        }

        return exitCode;
    }

    /// <summary>Runs the worker loop to its end on a thread of its own (it blocks for its whole life); returns the process exit code.</summary>
    public Task<int> RunAsync() => Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// The loop itself. Nothing in it is async: the item loop blocks on the inbox the reader thread
    /// fills, and a worker starts without compiling any async state machine or thread-pool plumbing.
    /// </summary>
    private int RunLoop()
    {
        Stream down = _down;
        Stream up = _up;
        FrameReader reader = new(down, StartFrameLimit, rentsLargeFrames: true);
        var writer = _writer = new FrameWriter(up, MasterOptions.DefaultMaxFrameSize);
        if (_session is not null)
        {
            StartThread("divvy-master-watch", WatchSilence);
        }

        StartMessage start;
        try
        {
            if (ReadStart(reader) is { } s)
            {
                start = s;
            }
            else
            {
                // A TCP worker waiting for a slot heard that the run is over.
                Console.Error.WriteLine($"divvy worker, pid {Environment.ProcessId}: the run at {_session?.Master} ended before this worker was given a slot");
                return WorkerExitCodes.Finished;
            }
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
        writer = _writer = new FrameWriter(up, start.MaxFrameSize);
        _results = new ResultBatchWriter(writer, start.MaxFrameSize);
        _workerNumber = start.WorkerNumber;
        if (start.HeartbeatTimeoutTicks > 0 && _session is not null)
        {
            _silenceLimit = TimeSpan.FromTicks(start.HeartbeatTimeoutTicks);
        }
        _start = start;
        _bornAt = Stopwatch.GetTimestamp();
        if (_captureOutput)
        {
            CaptureOutput(start.MaxFrameSize);
        }

        // AfterSpawn may take longer than the heartbeat timeout; the master does not ping until Ready.
        _booting = true;
        var info = new WorkerInfo(start.WorkerNumber, Environment.ProcessId);
        try
        {
            ValueTask booting = _job.AfterSpawnAsync(info, CancellationToken.None);
            if (!booting.IsCompletedSuccessfully)
            {
                // Only an AfterSpawnAsync that really waits gets here: the worker has nothing to do
                // until it returns, and a plain AfterSpawn costs no async machinery.
                booting.AsTask().GetAwaiter().GetResult();
            }
        }
        catch (Exception ex)
        {
            // Any exception from user code in the boot hook ends this worker with its story told.
            return Fatal(writer, "AfterSpawn", ex, WorkerExitCodes.AfterSpawnFailed);
        }

        // A worker that dialed in says where it runs, and what its launcher calls it.
        Write(writer, _session is null
            ? new ReadyMessage(WireProtocol.Version, Environment.ProcessId)
            : new ReadyMessage(WireProtocol.Version, Environment.ProcessId, Environment.MachineName, Environment.GetEnvironmentVariable(Launching.WorkerEnvironment.LaunchIdVariable)));
        writer.Flush();

        // The master pings only ready workers: the silence clock starts now.
        Heard();
        _booting = false;

        _readerStarted = true;
        StartThread("divvy-reader", () => ReadLoop(reader, writer));
        if (_masterProcessId is { } master)
        {
            StartThread("divvy-orphan-watch", () => WatchParent(master));
        }

        if (start.MaxConcurrentItems > 1)
        {
            return RunConcurrently(writer, start.MaxConcurrentItems);
        }

        int unflushed = 0;
        while (_inbox.Take() is { } batch)
        {
            for (int i = 0; i < batch.Count; i++)
            {
                Volatile.Write(ref _performing, batch[i].Id);
                Perform(batch[i], writer);
                Volatile.Write(ref _performing, -1);
                _performed++;
                if (RecycleReasonNow() is { } reason)
                {
                    // Items still queued here were never started: the master sends them elsewhere.
                    _finishing = true;
                    Locked(() =>
                    {
                        Write(writer, new RetiringMessage(reason));
                        writer.Flush();
                    });
                    return WorkerExitCodes.Finished;
                }

                bool drained = i == batch.Count - 1 && _inbox.IsEmpty;
                if (drained || ++unflushed >= ResultsPerFlush)
                {
                    // Nothing else queued: send what is pending now rather than hold results back.
                    // With a deep queue, still send every few results, so the master refills the
                    // queue while this worker works through the rest of it.
                    FlushLocked(writer);
                    unflushed = 0;
                }
                else
                {
                    HoldResults();
                }
            }
        }

        _finishing = true;
        FlushLocked(writer);
        return WorkerExitCodes.Finished;
    }

    private RecycleReason? RecycleReasonNow()
    {
        if (_start.MaxItems > 0 && _performed >= _start.MaxItems)
        {
            return RecycleReason.ItemCount;
        }

        if (_start.MaxMemoryBytes > 0 && Environment.WorkingSet > _start.MaxMemoryBytes)
        {
            return RecycleReason.Memory;
        }

        if (_start.MaxAgeTicks > 0 && Stopwatch.GetElapsedTime(_bornAt).Ticks > _start.MaxAgeTicks)
        {
            return RecycleReason.Age;
        }

        return null;
    }

    private void Locked(Action action)
    {
        lock (_writeLock)
        {
            action();
        }
    }

    private int Fatal(FrameWriter writer, string stage, Exception error, int exitCode)
    {
        try
        {
            // What AfterSpawn wrote goes first: the master quotes its stderr with the failure.
            DrainOutput();
            // The master reports the cause once, for every worker together: no line of our own.
            Write(writer, new FatalMessage(stage, RemoteError.From(error)));
            writer.Flush();
        }
        catch (IOException)
        {
            // The master is gone too: stderr and the exit code are all that is left to tell the story.
            Console.Error.WriteLine($"divvy worker, pid {Environment.ProcessId}: {stage} failed: {RemoteError.From(error)}");
        }

        return exitCode;
    }

    private void Write(FrameWriter writer, Message message)
    {
        // Results written so far go first, in their own frame: nothing overtakes them.
        _results?.Close();
        MessageCodec.Write(writer.BeginFrame(), message);
        writer.EndFrame();
    }

    private static void StartThread(string name, Action body) =>
        new Thread(() => body()) { IsBackground = true, Name = name }.Start();
}
