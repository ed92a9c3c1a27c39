using System.Diagnostics;
using Divvy.Framing;
using Divvy.Protocol;
using Divvy.Transport.Tcp;

namespace Divvy.Worker;

/// <summary>What a worker does differently over TCP: the lobby before Start, the watch on a silent master, Goodbye.</summary>
internal sealed partial class WorkerHost
{
    /// <summary>
    /// Reads the master's Start. A TCP worker waiting in the master's lobby hears pings first, and
    /// Stop when the run ends before it gets a slot: then <c>null</c>.
    /// </summary>
    private StartMessage? ReadStart(FrameReader reader)
    {
        while (true)
        {
            Message? first = reader.Read() is { } frame ? MessageCodec.Read(frame) : null;
            Heard();
            switch (first)
            {
                case StartMessage start:
                    return start;
                case PingMessage when _session is not null:
                    continue;
                case StopMessage when _session is not null:
                    return null;
                default:
                    throw new ProtocolException("the master's first message was not Start");
            }
        }
    }

    private void Heard() => Volatile.Write(ref _lastHeard, Stopwatch.GetTimestamp());

    /// <summary>
    /// The TCP worker's equivalent of watching its parent: a master that says nothing (no ping, no
    /// item) for its heartbeat timeout is gone, link cut or process hung, even without a FIN.
    /// </summary>
    private void WatchSilence()
    {
        while (!_finishing)
        {
            TimeSpan limit = _silenceLimit;
            Thread.Sleep(TimeSpan.FromTicks(Math.Clamp(limit.Ticks / 4, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromMilliseconds(250).Ticks)));
            TimeSpan quiet = Stopwatch.GetElapsedTime(Volatile.Read(ref _lastHeard));
            if (!_booting && !_finishing && quiet > limit)
            {
                ReleaseOutput();
                Console.Error.WriteLine($"divvy worker {_workerNumber}, pid {Environment.ProcessId}: heard nothing from the master at {_session!.Master} for {quiet.TotalSeconds:F1} s (its heartbeat timeout is {limit.TotalSeconds:F1} s); leaving");
                _exitProcess(WorkerExitCodes.MasterGone);
                return;
            }
        }
    }

    /// <summary>
    /// The last frame on a TCP connection, so the master counts this as a worker leaving rather than a
    /// connection lost. Then the master closes: waiting for that before closing our side keeps the
    /// close from resetting the connection under data the master has not read yet.
    /// </summary>
    private void SayGoodbye(int exitCode)
    {
        _finishing = true;
        TcpConnection connection = _session!.Connection;
        try
        {
            DrainOutput();
            Locked(() =>
            {
                Write(_writer!, new GoodbyeMessage(exitCode));
                _writer!.Flush();
            });
        }
        catch (IOException)
        {
            // The master is gone already: nobody to say goodbye to.
            ReleaseOutput();
            return;
        }

        // Nothing more goes to the master: what the process writes from now on is its own again.
        ReleaseOutput();
        connection.ShutdownSend();
        if (_readerStarted)
        {
            _readerDone.Wait(s_goodbyeWait);
            return;
        }

        try
        {
            connection.Stream.ReadTimeout = (int)s_goodbyeWait.TotalMilliseconds;
            byte[] discard = new byte[4096];
            while (connection.Stream.Read(discard) > 0)
            {
            }
        }
        catch (IOException)
        {
            // Reset or timed out: either way the master has had its chance to read.
        }
    }
}
