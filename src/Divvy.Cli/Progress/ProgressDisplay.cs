using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Divvy.Cli.Progress;

/// <summary>
/// The live progress of a run: done / dispatched, failed, in flight, workers, rate and an ETA.
/// On a terminal it is one line pinned at the bottom of stderr, redrawn four times a second, with
/// everything else (the job's output, worker stderr, the log) scrolling above it, and cleared when
/// the run ends. Forced on a non-terminal (<c>--progress</c>), it is a plain line every few seconds.
/// </summary>
internal sealed class ProgressDisplay : IAsyncDisposable
{
    /// <summary>Prefix of each line in plain mode.</summary>
    internal const string PlainPrefix = "divvy: progress: ";

    internal static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(250);
    internal static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);

    private const int DefaultColumns = 80;
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly Func<RunProgress> _read;
    private readonly TimeProvider _time;
    private readonly PinnedLine? _pinned;
    private readonly TextWriter? _plain;
    private readonly Func<int> _columns;
    private readonly Action _restore;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _drawing;

    private ProgressDisplay(Func<RunProgress> read, TimeProvider time, PinnedLine? pinned, TextWriter? plain, Func<int> columns, Stream? workerOutput, Action restore)
    {
        _read = read;
        _time = time;
        _pinned = pinned;
        _plain = plain;
        _columns = columns;
        _restore = restore;
        WorkerOutput = workerOutput;
        _drawing = DrawAsync();
    }

    /// <summary>
    /// Where workers' stdout must go (<see cref="MasterOptions.WorkerStandardOutput"/>) so it scrolls
    /// above the pinned line; <c>null</c> when stdout is not the terminal and workers write to it directly.
    /// </summary>
    public Stream? WorkerOutput { get; }

    /// <summary>
    /// Starts the display: pinned when stderr is a terminal (and <c>TERM</c> is not <c>dumb</c>), plain
    /// when forced on anything else, none when <paramref name="force"/> is <c>false</c> or when not
    /// forced and stderr is not a terminal. While pinned, <see cref="Console.Out"/> (when stdout is a
    /// terminal too), <see cref="Console.Error"/> and <paramref name="log"/> write above the line;
    /// disposing puts them back.
    /// </summary>
    public static ProgressDisplay? Start(Func<RunProgress> read, bool? force, RoutedWriter log)
    {
        if (force == false)
        {
            return null;
        }

        bool terminal = !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb");
        if (terminal)
        {
            return OnTerminal(read, log, routeStdout: !Console.IsOutputRedirected);
        }

        return force == true ? Plain(read, log, TimeProvider.System) : null;
    }

    /// <summary>Plain mode: a line on <paramref name="output"/> every <see cref="PlainInterval"/> and one at the end.</summary>
    internal static ProgressDisplay Plain(Func<RunProgress> read, TextWriter output, TimeProvider time) =>
        new(read, time, pinned: null, output, () => int.MaxValue, workerOutput: null, restore: () => { });

    /// <summary>Pinned mode on <paramref name="line"/>, for tests: nothing global is rerouted.</summary>
    internal static ProgressDisplay Pinned(Func<RunProgress> read, PinnedLine line, int columns, TimeProvider time) =>
        new(read, time, line, plain: null, () => columns, workerOutput: null, restore: () => { });

    private static ProgressDisplay OnTerminal(Func<RunProgress> read, RoutedWriter log, bool routeStdout)
    {
        var line = new PinnedLine(OpenTerminal(1), OpenTerminal(2));
        TextWriter originalOut = Console.Out;
        TextWriter originalError = Console.Error;
        TextWriter originalLog = log.Target;

        // The writers are never disposed: a worker's stderr pump may still hold one after the run,
        // and once the line is closed they simply write through.
        TextWriter error = TextWriter.Synchronized(new StreamWriter(line.CreateStream(toStdout: false), s_utf8) { AutoFlush = true });
        Console.SetError(error);
        log.Target = error;
        Stream? workers = null;
        if (routeStdout)
        {
            Console.SetOut(TextWriter.Synchronized(new StreamWriter(line.CreateStream(toStdout: true), s_utf8) { AutoFlush = true }));
            workers = line.CreateStream(toStdout: true);
        }

        return new ProgressDisplay(read, TimeProvider.System, line, plain: null, TerminalColumns, workers, () =>
        {
            Console.SetOut(originalOut);
            Console.SetError(originalError);
            log.Target = originalLog;
        });
    }

    /// <summary>
    /// A raw, unbuffered stream on descriptor <paramref name="fd"/>. Not <see cref="Console.OpenStandardOutput()"/>:
    /// on Unix its writes take the <see cref="Console.Out"/> lock, which a thread writing through the
    /// rerouted <see cref="Console.Out"/> holds while it waits for the pinned line's lock (a deadlock).
    /// </summary>
    internal static Stream OpenTerminal(int fd) => OperatingSystem.IsWindows()
        ? (fd == 1 ? Console.OpenStandardOutput() : Console.OpenStandardError())
        : new FileStream(new SafeFileHandle(fd, ownsHandle: false), FileAccess.Write, bufferSize: 0);

    private static int TerminalColumns()
    {
        try
        {
            return Console.WindowWidth is var columns and > 1 ? columns : DefaultColumns;
        }
        catch (Exception ex) when (ex is IOException or PlatformNotSupportedException)
        {
            // No size to be had (a terminal that does not say): assume the classic width.
            return DefaultColumns;
        }
    }

    private async Task DrawAsync()
    {
        await Task.Yield();
        TimeSpan interval = _pinned is null ? PlainInterval : RedrawInterval;
        while (!_stop.IsCancellationRequested)
        {
            // One column is left free: a line that reaches the last column makes some terminals wrap.
            _pinned?.Show(ProgressText.Describe(_read(), _columns() - 1));
            try
            {
                await Task.Delay(interval, _time, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The run ended.
                break;
            }

            WritePlain();
        }
    }

    private void WritePlain() => _plain?.WriteLine(PlainPrefix + ProgressText.Describe(_read(), int.MaxValue));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _drawing.ConfigureAwait(false);
        _stop.Dispose();
        _restore();
        _pinned?.Close();
        WritePlain();
    }
}
