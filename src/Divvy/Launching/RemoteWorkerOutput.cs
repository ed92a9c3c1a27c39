using System.Text;
using Divvy.Protocol;

namespace Divvy.Launching;

/// <summary>
/// What a TCP worker writes to its stdout and stderr, as it arrives in Output messages, passed on
/// the way a local worker's pipes are (<see cref="WorkerProcess"/>): stdout in whole lines to the
/// run's stdout, stderr line by line to the run's stderr, with no prefix, and the last stderr
/// lines kept to explain the worker's death.
/// </summary>
internal sealed class RemoteWorkerOutput
{
    private const int TailLines = 20;

    // The master's own stdout, shared by every TCP worker of the process; writes to it are whole
    // lines under its lock, so lines of different workers never mix.
    private static readonly Lazy<Stream> s_standardOutput = new(Console.OpenStandardOutput);
    private static readonly Lock s_stdoutGate = new();

    private readonly Lock _gate = new();
    private readonly Stream _stdoutSink;
    private readonly TextWriter _stderrSink;
    private readonly LineAssembler _stdout;
    private readonly LineAssembler _stderr;
    private bool _stdoutGone;
    private bool _stderrGone;

    /// <param name="stdoutSink">Where whole stdout lines go (<see cref="MasterOptions.WorkerStandardOutput"/>); <c>null</c>: the master's stdout.</param>
    /// <param name="stderrSink">Where each stderr line goes; <c>null</c>: the master's stderr (<see cref="Console.Error"/>).</param>
    public RemoteWorkerOutput(Stream? stdoutSink, TextWriter? stderrSink)
    {
        _stdoutSink = stdoutSink ?? s_standardOutput.Value;
        _stderrSink = stderrSink ?? Console.Error;
        _stdout = new LineAssembler(PassStandardOutput);
        _stderr = new LineAssembler(PassStandardError);
    }

    public StderrTail Tail { get; } = new(TailLines);

    public void Write(OutputMessage output)
    {
        lock (_gate)
        {
            (output.Stream == StandardStream.Output ? _stdout : _stderr).Append(output.Bytes.Span);
        }
    }

    /// <summary>The worker's connection ended: lines left without a newline go on with one.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _stdout.Complete();
            _stderr.Complete();
        }
    }

    private void PassStandardOutput(ReadOnlySpan<byte> lines)
    {
        if (_stdoutGone)
        {
            return;
        }

        try
        {
            lock (s_stdoutGate)
            {
                _stdoutSink.Write(lines);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The terminal is gone: drop the rest, as a local worker's forwarder does.
            _stdoutGone = true;
        }
    }

    private void PassStandardError(ReadOnlySpan<byte> lines)
    {
        while (lines.Length > 0)
        {
            int end = lines.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = lines[..end];
            lines = lines[(end + 1)..];
            if (line.Length > 0 && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            // As a local worker's stderr pump: one string per line, kept for the tail, written with WriteLine.
            string text = Encoding.UTF8.GetString(line);
            Tail.Add(text);
            if (_stderrGone)
            {
                continue;
            }

            try
            {
                _stderrSink.WriteLine(text);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                _stderrGone = true;
            }
        }
    }
}
