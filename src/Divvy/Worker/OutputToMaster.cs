using System.Text;

namespace Divvy.Worker;

/// <summary>
/// Sends what a TCP worker writes to its stdout and stderr to its master, instead of to a file on
/// its own machine (under Slurm, a <c>slurm-*.out</c> nobody reads): a pipe goes under descriptors
/// 1 and 2, and an <see cref="OutputPump"/> reads it and sends Output frames. <see cref="Release"/>
/// puts the real stdout and stderr back, for a worker that can no longer reach its master, so that
/// what it says about leaving lands where the cluster keeps it.
/// </summary>
/// <remarks>
/// Why dup2 under descriptors 1 and 2 and not only <see cref="Console.SetOut"/>: a job also writes
/// through whatever it starts (a child process inherits descriptors 1 and 2, not Console.Out), through
/// native code, and the runtime prints an unhandled exception to descriptor 2 itself; only the
/// descriptors catch all of them. Console.SetOut/SetError are needed as well, because .NET's Console
/// writes to its own copies of the descriptors, made when it first opened them: the new writers are
/// opened on the pipe, and the old ones, still on the real streams, are what <see cref="Release"/>
/// puts back. Linux only (the calls and constants are Linux's); elsewhere the worker keeps its own
/// output. A writer that floods waits on the full pipe while the master catches up: nothing is
/// dropped, and the worker holds at most one batch per stream.
/// </remarks>
internal sealed class OutputToMaster
{
    private static readonly TimeSpan s_releaseWait = TimeSpan.FromSeconds(1);

    private readonly TextWriter _originalOut;
    private readonly TextWriter _originalError;
    private readonly int _savedOutput;
    private readonly int _savedError;
    private OutputPump? _pump;
    private int _released;

    private OutputToMaster(TextWriter originalOut, TextWriter originalError, int savedOutput, int savedError)
    {
        _originalOut = originalOut;
        _originalError = originalError;
        _savedOutput = savedOutput;
        _savedError = savedError;
    }

    /// <summary>
    /// Puts pipes under stdout and stderr and starts sending what arrives there to <paramref name="master"/>,
    /// in batches of at most <paramref name="batchBytes"/>; <c>null</c> where that cannot be done (not
    /// Linux, no descriptors left), and the worker's output stays its own.
    /// </summary>
    public static OutputToMaster? TryStart(IOutputSink master, int batchBytes)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        // Console's writers (made now if they were not yet) write to copies of the real descriptors:
        // they and these two streams are the way back.
        TextWriter originalOut = Console.Out;
        TextWriter originalError = Console.Error;
        var real = new StreamOutputSink(Console.OpenStandardOutput(), Console.OpenStandardError());
        var opened = new List<int>();
        (int Read, int Write) output;
        (int Read, int Write) error;
        int savedOutput;
        int savedError;
        try
        {
            output = Posix.OpenPipe();
            opened.AddRange([output.Read, output.Write]);
            error = Posix.OpenPipe();
            opened.AddRange([error.Read, error.Write]);
            savedOutput = Posix.DuplicateCloseOnExec(1);
            opened.Add(savedOutput);
            savedError = Posix.DuplicateCloseOnExec(2);
            opened.Add(savedError);
        }
        catch (IOException ex)
        {
            foreach (int fd in opened)
            {
                _ = Posix.Close(fd);
            }

            originalError.WriteLine($"divvy worker, pid {Environment.ProcessId}: cannot send stdout and stderr to the master ({ex.Message}); they stay this worker's own");
            return null;
        }

        var capture = new OutputToMaster(originalOut, originalError, savedOutput, savedError);
        capture._pump = new OutputPump(output.Read, error.Read, master, real, batchBytes, capture.Release);
        Posix.Redirect(output.Write, 1);
        Posix.Redirect(error.Write, 2);
        _ = Posix.Close(output.Write);
        _ = Posix.Close(error.Write);

        // Opened after the dup2, these are copies of the pipes' write ends.
        Console.SetOut(Writer(Console.OpenStandardOutput()));
        Console.SetError(Writer(Console.OpenStandardError()));
        capture._pump.Start();
        return capture;
    }

    /// <summary>Sends what was written so far to the master now (see <see cref="OutputPump.Drain"/>).</summary>
    public void Drain() => _pump!.Drain();

    /// <summary>
    /// The worker is dying: what it wrote, then <paramref name="lastWords"/>, to the master if it can
    /// still be reached within <paramref name="wait"/>; then the real stdout and stderr are back, for
    /// what the runtime prints next.
    /// </summary>
    public void LastWords(ReadOnlySpan<byte> lastWords, TimeSpan wait)
    {
        _ = _pump!.TryDrain(wait, lastWords);
        Release();
    }

    /// <summary>
    /// Puts the real stdout and stderr back (descriptors and Console) and sends what is still
    /// pending, and whatever still comes down the pipes (a child process started earlier), there.
    /// For a worker whose master is gone or done with it. Safe to call more than once, from any thread.
    /// </summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        Console.SetOut(_originalOut);
        Console.SetError(_originalError);
        try
        {
            Posix.Redirect(_savedOutput, 1);
            Posix.Redirect(_savedError, 2);
        }
        catch (IOException ex)
        {
            _originalError.WriteLine($"divvy worker, pid {Environment.ProcessId}: cannot restore stdout and stderr: {ex.Message}");
        }

        // Bounded: the pump may be stuck sending to a master that stopped reading.
        _ = _pump!.TrySwitchToFallback(s_releaseWait);
    }

    private static StreamWriter Writer(Stream stream) =>
        new(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 256) { AutoFlush = true };
}
