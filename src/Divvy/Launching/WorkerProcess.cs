using System.Diagnostics;
using System.IO.Pipes;
using System.Text;

namespace Divvy.Launching;

/// <summary>
/// A launched worker process as the master holds it: its two pipe ends, its standard error, and
/// the means to wait for or kill it.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private const int TailLines = 20;
    private const int StderrBufferSize = 4096;
    private static readonly TimeSpan s_stderrDrain = TimeSpan.FromSeconds(2);

    private readonly Process _process;
    private readonly AnonymousPipeServerStream _down;
    private readonly AnonymousPipeServerStream _up;

    // Linux: the non-blocking streams the master uses in place of the pipes' own (see NonBlockingPipeStream).
    private readonly NonBlockingPipeStream[] _nonBlocking = [];
    private readonly Task _stderrPump;
    private readonly Task _stdoutPump;

    public WorkerProcess(int number, Process process, AnonymousPipeServerStream down, AnonymousPipeServerStream up, TextWriter stderrSink, Stream? stdoutSink = null)
    {
        Number = number;
        _process = process;
        _down = down;
        _up = up;
        ProcessId = process.Id;
        Down = down;
        Up = up;
        StreamReader stderr = process.StandardError;
        Stream? stdout = stdoutSink is null ? null : process.StandardOutput.BaseStream;
        if (NonBlockingPipeStream.IsSupported && stderr.BaseStream is PipeStream stderrPipe && stdout is null or PipeStream)
        {
            var downStream = new NonBlockingPipeStream(down.SafePipeHandle, reads: false);
            var upStream = new NonBlockingPipeStream(up.SafePipeHandle, reads: true);
            var stderrStream = new NonBlockingPipeStream(stderrPipe.SafePipeHandle, reads: true);
            var stdoutStream = stdout is PipeStream stdoutPipe ? new NonBlockingPipeStream(stdoutPipe.SafePipeHandle, reads: true) : null;
            _nonBlocking = stdoutStream is null ? [downStream, upStream, stderrStream] : [downStream, upStream, stderrStream, stdoutStream];
            Down = downStream;
            Up = upStream;
            stderr = new StreamReader(stderrStream, Encoding.Default, detectEncodingFromByteOrderMarks: true, bufferSize: StderrBufferSize);
            stdout = stdoutStream;
        }

        _stderrPump = PumpStandardErrorAsync(stderr, stderrSink);

        // Only when the launcher piped stdout (MasterOptions.WorkerStandardOutput); otherwise the worker writes to the master's stdout itself.
        _stdoutPump = stdout is null || stdoutSink is null ? Task.CompletedTask : LineForwarder.PumpAsync(stdout, stdoutSink);
    }

    public int Number { get; }

    public int ProcessId { get; }

    public WorkerInfo Info => new(Number, ProcessId);

    /// <summary>Master to worker.</summary>
    public Stream Down { get; }

    /// <summary>Worker to master.</summary>
    public Stream Up { get; }

    public StderrTail Tail { get; } = new(TailLines);

    /// <summary>
    /// Waits for the process to exit and for its standard error (and piped stdout) to be read to the
    /// end; says how it ended. (One async method from the exit to the end, not one wrapped in another:
    /// each costs the master its JIT-compiled state machine plumbing at start.)
    /// </summary>
    public async Task<WorkerEnd> WaitForEndAsync()
    {
        await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);

        // A grandchild may still hold the stderr pipe; do not wait on it forever.
        await Task.WhenAny(Task.WhenAll(_stderrPump, _stdoutPump), Task.Delay(s_stderrDrain, CancellationToken.None)).ConfigureAwait(false);
        return WorkerEnd.FromExit(new WorkerExit(_process.ExitCode));
    }

    public bool HasExited
    {
        get
        {
            try
            {
                return _process.HasExited;
            }
            catch (InvalidOperationException)
            {
                // The Process object no longer tracks the child: treat it as gone.
                return true;
            }
        }
    }

    /// <summary>Kills the worker and every process it started. Safe to call more than once, and after exit.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited: nothing to kill.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exited between the check and the signal, or a grandchild vanished mid-walk.
        }
    }

    public ValueTask DisposeAsync()
    {
        // Stop watching the descriptors before they are closed (a pending read sees ObjectDisposedException).
        foreach (NonBlockingPipeStream stream in _nonBlocking)
        {
            stream.Dispose();
        }

        _down.Dispose();
        _up.Dispose();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task PumpStandardErrorAsync(StreamReader stderr, TextWriter sink)
    {
        // Worker stderr passes through line by line, so the master can quote its tail when the
        // worker dies during boot.
        try
        {
            while (await stderr.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                Tail.Add(line);
                sink.WriteLine(line);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The pipe broke because the worker died or was disposed: the tail kept so far is what there is.
        }
    }
}
