using System.Diagnostics;

namespace Divvy.Cli.Serve;

/// <summary>What every connection of one server shares: its slots, its reaper, and whether it is stopping.</summary>
internal sealed class ServeContext(CommandSlots slots, Reaper reaper, ServedJob? items, Divvy.Cli.Exec.RunLog? runLog = null) : IDisposable
{
    private readonly CancellationTokenSource _killAll = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly long _started = Stopwatch.GetTimestamp();

    public CommandSlots Slots => slots;

    public Reaper Reaper => reaper;

    /// <summary>The job's name when the server performs items; <c>null</c> for commands only.</summary>
    public string? Job => items?.Name;

    /// <summary>The job whose items clients may send; <c>null</c> for commands only.</summary>
    public ServedJob? Items => items;

    /// <summary>New requests are refused (<c>shutting_down</c>); running ones finish.</summary>
    public bool Draining => _stopping.IsCancellationRequested;

    /// <summary>Fires when the server should stop (a signal, or a SHUTDOWN frame).</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Fires when running commands must end now (drain timeout, or SHUTDOWN now).</summary>
    public CancellationToken KillAll => _killAll.Token;

    public TimeSpan Uptime => Stopwatch.GetElapsedTime(_started);

    /// <summary>Appends a request to the <c>--db</c> run log, when there is one.</summary>
    public void Log(Divvy.Cli.Exec.LoggedRun run) => runLog?.Append(run);

    /// <summary>Set by SHUTDOWN <c>now</c>: no drain.</summary>
    public bool Now { get; private set; }

    public void Stop(bool now)
    {
        Now |= now;
        items?.Complete();
        _stopping.Cancel();
        if (now)
        {
            _killAll.Cancel();
        }
    }

    public void KillRunning() => _killAll.Cancel();

    public void Dispose()
    {
        _killAll.Dispose();
        _stopping.Dispose();
    }
}
