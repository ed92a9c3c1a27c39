using System.Runtime.CompilerServices;

namespace Divvy.Cli.Exec;

/// <summary>
/// The built-in job behind <c>divvy exec</c>: items are commands, <c>Perform</c> runs one in the
/// worker, results come back to the master's <see cref="ExecReporter"/>. It runs on the same
/// <see cref="Master"/> as any typed job, and a failing command is a failed attempt to it
/// (<see cref="AttemptFailedException"/>) that still carries its outcome.
/// </summary>
internal sealed class ExecJob : IParallelizable<ExecTask, ExecOutcome>
{
    private readonly ExecSettings _settings;
    private readonly IReadOnlyList<ExecTask>? _taskList;
    private readonly ExecReporter? _reporter;
    private readonly TaskRunner _runner;
    private int _worker;

    /// <param name="settings">What was asked.</param>
    /// <param name="taskList">The parsed task list (master, task-list mode only).</param>
    /// <param name="reporter">Where results go (master only).</param>
    public ExecJob(ExecSettings settings, IReadOnlyList<ExecTask>? taskList, ExecReporter? reporter)
    {
        _settings = settings;
        _taskList = taskList;
        _reporter = reporter;
        _runner = new TaskRunner(settings);
    }

    public async IAsyncEnumerable<ExecTask> DispatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        switch (_settings.Mode)
        {
            case ExecMode.TaskList:
                foreach (ExecTask task in _taskList ?? [])
                {
                    yield return task;
                }

                break;
            case ExecMode.Lines:
                using (TextReader input = _settings.ArgsFile is { } path ? new StreamReader(path) : Console.In)
                {
                    long sequence = 0;
                    while (await input.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                    {
                        if (line.Length > 0)
                        {
                            yield return Template.ForLine(_settings.Command, line, ++sequence, _settings.Shell);
                        }
                    }
                }

                break;
            case ExecMode.Repeat:
                // --duration is not checked here: the master is cancelled when it is up, which also
                // drops the runs already queued (see ExecCommand).
                for (long run = 1; _settings.Count is not { } count || run <= count; run++)
                {
                    yield return Template.ForRun(_settings.Command, run, _settings.Shell);
                }

                break;
        }
    }

    public void AfterSpawn(WorkerInfo worker) => _worker = worker.Number;

    /// <summary>
    /// Runs the command. One that did not succeed (a non-zero exit, a signal, a timeout, no start)
    /// fails the attempt, its outcome carried along, so the master retries, halts and counts it as
    /// any failed item, and the results still show what the command printed.
    /// </summary>
    public async ValueTask<ExecOutcome> PerformAsync(ExecTask item, CancellationToken cancellationToken)
    {
        ExecOutcome outcome = await _runner.RunAsync(Template.ForWorker(item, _worker), _worker, cancellationToken).ConfigureAwait(false);
        return outcome.Succeeded ? outcome : throw new AttemptFailedException(outcome.Verdict(), outcome) { TimedOut = outcome.TimedOut };
    }

    /// <summary>A command that could not start will not start on the next try either.</summary>
    public bool ShouldRetry(Exception exception) => exception is not (FailItemException or AttemptFailedException { Result: ExecOutcome { NotStarted: true } });

    public void OnResult(ItemResult<ExecTask, ExecOutcome> result) => _reporter?.Record(result);

    /// <summary>
    /// A task's identity in a journal (<c>--journal</c>): the identifier a task list gave it, or
    /// else its command line (an input line, a run number), so a later run knows it by what it is.
    /// </summary>
    public string? ItemKey(ExecTask item)
    {
        bool numbered = _settings.Mode == ExecMode.TaskList && item.Identifier == item.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!numbered)
        {
            return item.Identifier;
        }

        // A task list without identifiers: its tasks are known by what they run, wherever they stand in the list.
        string where = item.Cwd is null ? "" : $" (in {item.Cwd})";
        return string.Join(' ', [item.Command, .. item.Args]) + where;
    }
}
