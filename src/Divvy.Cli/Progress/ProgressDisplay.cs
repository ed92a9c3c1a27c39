using System.Globalization;
using Spectre.Console;

namespace Divvy.Cli.Progress;

/// <summary>
/// A one-line live status on stderr while a run goes on: done / dispatched, failed, in flight,
/// workers, rate and, once dispatch has ended, an ETA. Spectre.Console redraws it in place and
/// clears it when the run ends, so it never stays mixed into the job's output.
/// </summary>
internal sealed class ProgressDisplay : IAsyncDisposable
{
    private static readonly TimeSpan s_refresh = TimeSpan.FromMilliseconds(250);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _drawing;

    private ProgressDisplay(IAnsiConsole console, Func<RunProgress> read)
    {
        _drawing = console.Status()
            .AutoRefresh(true)
            .Spinner(Spinner.Known.Dots)
            .StartAsync(Describe(read()), async context =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    context.Status(Describe(read()));
                    try
                    {
                        await Task.Delay(s_refresh, _stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        // The run ended.
                    }
                }
            });
    }

    /// <summary>Starts drawing on stderr when it is a terminal (or when forced); null otherwise.</summary>
    public static ProgressDisplay? Start(Func<RunProgress> read, bool? force)
    {
        bool interactive = force ?? (!Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb"));
        if (!interactive)
        {
            return null;
        }

        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
        });
        return new ProgressDisplay(console, read);
    }

    internal static string Describe(RunProgress progress) => string.Create(
        CultureInfo.InvariantCulture,
        $"{progress.Settled:N0} done / {progress.Dispatched:N0} dispatched, {progress.Failed:N0} failed, {progress.InFlight:N0} in flight, {progress.WorkersAlive}/{progress.WorkersTarget} workers, {progress.Rate:F1}/s{Eta(progress)}");

    private static string Eta(RunProgress progress)
    {
        long left = progress.Dispatched - progress.Settled;
        return progress.Rate > 0 && left > 0 ? $", about {TimeSpan.FromSeconds(Math.Ceiling(left / progress.Rate)):g} left of what is dispatched" : "";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _drawing.ConfigureAwait(false);
        _stop.Dispose();
    }
}
