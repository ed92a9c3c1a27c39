using McMaster.Extensions.CommandLineUtils;

namespace Divvy.Cli.Progress;

/// <summary>
/// <c>--progress</c> and <c>--no-progress</c>, declared once for every command that runs a master
/// (<c>divvy</c>, <c>divvy exec</c>), and the run with its progress display around it.
/// </summary>
internal sealed class ProgressOptions
{
    private readonly CommandOption _progress;
    private readonly CommandOption _noProgress;

    /// <param name="app">The command the flags belong to.</param>
    public ProgressOptions(CommandLineApplication app)
    {
        _progress = app.Option("--progress", "Show progress on stderr even when it is not a terminal (there, a plain line every 5 s).", CommandOptionType.NoValue);
        _noProgress = app.Option("--no-progress", "Never show the live progress line.", CommandOptionType.NoValue);
    }

    /// <summary>The two flags, for the help text.</summary>
    public CommandOption[] Flags => [_progress, _noProgress];

    /// <summary><c>false</c> with <c>--no-progress</c>, <c>true</c> with <c>--progress</c>, else null (a terminal decides).</summary>
    public bool? Force => _noProgress.HasValue() ? false : _progress.HasValue() ? true : null;

    /// <summary>
    /// Creates the master and runs it with the progress display around it (none in a worker, whose
    /// run never returns). The display starts first: on a terminal, the workers' stdout must go
    /// through it (<see cref="MasterOptions.WorkerStandardOutput"/>). <paramref name="run"/> runs the
    /// master (default: <see cref="Master.RunAsync"/>); <paramref name="routed"/> is told whether the
    /// master's own stdout is rerouted above the pinned line.
    /// </summary>
    public async Task<RunSummary> RunAsync(MasterOptions options, RoutedWriter log, Func<MasterOptions, Master> create, Func<Master, Task<RunSummary>>? run = null, Action<bool>? routed = null)
    {
        run ??= static master => master.RunAsync();
        if (Master.IsWorker)
        {
            return await run(create(options)).ConfigureAwait(false);
        }

        Master? master = null;
        await using ProgressDisplay? display = ProgressDisplay.Start(() => master?.Progress ?? default, Force, log);
        options.WorkerStandardOutput = display?.WorkerOutput;
        routed?.Invoke(display?.WorkerOutput is not null);
        master = create(options);
        return await run(master).ConfigureAwait(false);
    }
}
