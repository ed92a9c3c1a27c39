using System.Runtime.InteropServices;
using System.Text;
using Divvy.Framing;
using Divvy.Protocol;

namespace Divvy.Worker;

/// <summary>
/// A TCP worker's stdout and stderr, sent to its master as Output frames (<see cref="OutputToMaster"/>).
/// Ordering: each stream's bytes arrive in the order written; everything written to either before
/// an item's Perform returned is sent before that item's result or failure, so the master writes it
/// out before it settles the item. Between stdout and stderr there is no order, as between a local
/// worker's two pipes.
/// </summary>
internal sealed partial class WorkerHost : IOutputSink
{
    private static readonly TimeSpan s_lastWordsWait = TimeSpan.FromSeconds(1);

    // What an unhandled exception ends the process with on Unix (the runtime aborts: 128 + SIGABRT).
    private const int UnhandledExceptionExitCode = 134;

    private OutputToMaster? _output;
    private volatile bool _terminated;

    // The thread living the worker's last moments (an unhandled exception, Environment.Exit): it
    // may hold the write lock itself, or die while another does, so it waits for it a little only.
    private int _lastWordsThread = -1;

    /// <summary>Starts sending stdout and stderr to the master: once Start said it speaks this protocol.</summary>
    private void CaptureOutput(int maxFrameSize)
    {
        _output = OutputToMaster.TryStart(this, Math.Min(MessageCodec.PreferredBatchBytes, maxFrameSize - MessageCodec.OutputOverhead));
        if (_output is not null)
        {
            AppDomain.CurrentDomain.UnhandledException += OnUnhandledException;
            AppDomain.CurrentDomain.ProcessExit += OnProcessExit;

            // SIGTERM is how an engine ends a worker (scancel, preemption, walltime): noted, then the
            // runtime's own shutdown goes on, and the worker leaves without last words on purpose.
            _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => _terminated = true));
        }
    }

    /// <summary>Sends what was written so far to stdout and stderr before what follows (an item's result, Fatal, Goodbye).</summary>
    private void DrainOutput() => _output?.Drain();

    /// <summary>The master is gone or done: stdout and stderr are this worker's own again, before it says why it leaves.</summary>
    private void ReleaseOutput() => _output?.Release();

    void IOutputSink.Write(StandardStream stream, ReadOnlySpan<byte> bytes)
    {
        FrameWriter writer = _writer!;
        int chunk = _start.MaxFrameSize - MessageCodec.OutputOverhead;
        EnterWriteLock();
        try
        {
            // Results written so far go first, in their own frame: nothing overtakes them.
            _results?.Close();
            while (bytes.Length > 0)
            {
                int length = Math.Min(chunk, bytes.Length);
                MessageCodec.WriteOutput(writer.BeginFrame(), stream, bytes[..length]);
                writer.EndFrame();
                bytes = bytes[length..];
            }
        }
        finally
        {
            _writeLock.Exit();
        }
    }

    void IOutputSink.Flush()
    {
        EnterWriteLock();
        try
        {
            _results?.Close();
            _writer!.Flush();
        }
        finally
        {
            _writeLock.Exit();
        }
    }

    private void EnterWriteLock()
    {
        if (Environment.CurrentManagedThreadId != Volatile.Read(ref _lastWordsThread))
        {
            _writeLock.Enter();
        }
        else if (!_writeLock.TryEnter(s_lastWordsWait))
        {
            throw new IOException("the connection to the master stayed busy");
        }
    }

    private void OnUnhandledException(object? sender, UnhandledExceptionEventArgs e)
    {
        // What the runtime is about to print goes to the master first; the runtime's own print then
        // goes to this worker's real stderr.
        Volatile.Write(ref _lastWordsThread, Environment.CurrentManagedThreadId);
        _output!.LastWords(Encoding.UTF8.GetBytes($"Unhandled exception. {e.ExceptionObject}\n"), s_lastWordsWait);
        SayCrashed(UnhandledExceptionExitCode);
    }

    private void OnProcessExit(object? sender, EventArgs e)
    {
        // Environment.Exit in a job, or the worker leaving: what is still in the pipes goes out.
        Volatile.Write(ref _lastWordsThread, Environment.CurrentManagedThreadId);
        _output!.LastWords([], s_lastWordsWait);
        if (!_terminated)
        {
            SayCrashed(Environment.ExitCode);
        }
    }

    /// <summary>
    /// A worker ending outside its loop (its job called Environment.Exit, or threw where nothing
    /// catches) says Goodbye with its exit code, as a local worker's exit status would say it: the
    /// master then charges the item it held, as for any crash. Without it the master would see a
    /// lost connection, which is not the item's fault. After a normal Goodbye, or SIGTERM, nothing.
    /// </summary>
    private void SayCrashed(int exitCode)
    {
        if (_finishing || _writer is null)
        {
            return;
        }

        _finishing = true;
        try
        {
            EnterWriteLock();
            try
            {
                _results?.Close();
                Write(_writer, new GoodbyeMessage(exitCode));
                _writer.Flush();
            }
            finally
            {
                _writeLock.Exit();
            }
        }
        catch (IOException)
        {
            // The master is gone, or the connection stayed busy: it will see the connection end.
        }
    }
}
