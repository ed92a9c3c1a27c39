namespace Divvy.Cli.Exec;

/// <summary>
/// <c>--duration</c> in load mode: cancels the run once runs have been going for that long. The
/// clock starts when the first run is handed to a worker, so slow worker start-up does not eat
/// the load time. Cancelling stops the master as Ctrl-C does: no new runs (the ones already
/// queued for dispatch are dropped), runs in flight finish.
/// </summary>
internal sealed class RepeatDeadline : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    private readonly CancellationTokenSource _deadline = new();
    private readonly CancellationTokenSource _stopWatching = new();
    private readonly Task _watch;

    public RepeatDeadline(Master master, TimeSpan duration)
    {
        _watch = WatchAsync(master, duration);
    }

    /// <summary>Cancelled when the duration is up: pass it to <see cref="Master.RunAsync"/>.</summary>
    public CancellationToken Token => _deadline.Token;

    /// <summary>Whether the duration was reached (rather than the run ending some other way first).</summary>
    public bool Reached => _deadline.IsCancellationRequested;

    private async Task WatchAsync(Master master, TimeSpan duration)
    {
        try
        {
            // The master has no hook for "first item sent"; its progress snapshot says as much.
            while (master.Progress is { InFlight: 0, Settled: 0 })
            {
                await Task.Delay(PollInterval, _stopWatching.Token).ConfigureAwait(false);
            }

            _deadline.CancelAfter(duration);
        }
        catch (OperationCanceledException)
        {
            // The run ended before any run started (a boot failure, Ctrl-C): nothing to time.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopWatching.CancelAsync().ConfigureAwait(false);
        await _watch.ConfigureAwait(false);
        _stopWatching.Dispose();
        _deadline.Dispose();
    }
}
