using System.Globalization;
using Divvy.Cli.Loading;
using Divvy.Jobs;
using McMaster.Extensions.CommandLineUtils;

namespace Divvy.Cli.Journal;

/// <summary>
/// <c>divvy replay --journal run.journal</c> lists the items a run's journal recorded as not
/// succeeded; with <c>--item KEY job.dll [job arguments...]</c> it performs one of them again in
/// this process, on its main thread, so that a debugger started on it stops in <c>Perform</c>.
/// </summary>
internal sealed class ReplaySubcommand
{
    private readonly TextWriter _out;
    private readonly CommandRun _run;
    private readonly CommandLineApplication _app;
    private readonly CommandOption _journal;
    private readonly CommandOption _item;
    private readonly CommandOption _job;
    private readonly CommandOption _all;
    private readonly CommandArgument _assembly;
    private string[] _jobArguments = [];

    public ReplaySubcommand(TextWriter output, TextWriter error)
    {
        _out = output;
        _run = new CommandRun("divvy replay", error);
        _app = new CommandLineApplication(throwOnUnexpectedArg: true)
        {
            Name = "divvy replay",
            FullName = "divvy replay: list a journal's failed items, or perform one again in this process",
            Out = output,
            Error = error,
            ExtendedHelpText = """

                Without --item: one line per item that did not succeed (tab-separated key, status,
                attempts, error); --all lists the successes too. With --item: the job's AfterSpawn, then
                its Perform on the journal's copy of the item, on this process's main thread (start it
                under a debugger to stop there); the result is printed as JSON, and an exception
                with its whole stack. Pass the same job arguments as the run.

                Exit codes: 0 listed, or performed without an exception; 1 Perform threw; 2 bad
                arguments, or a journal without that item; 3 to 7 as for divvy (the job assembly).
                """,
        };
        CommandOption help = _app.HelpOption("-h|--help");
        help.Description = "Show this help on stdout.";
        _journal = _app.Option("--journal <PATH>", "The run's journal (its --journal).", CommandOptionType.SingleValue);
        _item = _app.Option("--item <KEY>", "The key of the item to perform (as the listing shows it).", CommandOptionType.SingleValue);
        _all = _app.Option("--all", "List every item, successes too.", CommandOptionType.NoValue);
        _job = _app.Option("--job <TYPE>", "The job type, when the assembly has several (full or short name).", CommandOptionType.SingleValue);
        _assembly = _app.Argument("assembly", "The job assembly (.dll), with --item.");
        _app.OnExecute(() => Execute());
    }

    public int Run(string[] args)
    {
        (string[] own, string[] job) = CommandLine.Split(_app, args);
        _jobArguments = job;
        return _run.Execute(_app, own, _out);
    }

    private int Execute()
    {
        if (_journal.Value() is not { } journal)
        {
            return _run.Usage("missing --journal PATH: the journal of the run (its --journal)");
        }

        try
        {
            return _item.Value() is { } key ? Perform(journal, key) : List(journal);
        }
        catch (RunSetupException ex)
        {
            return _run.Fail(ExitCodes.SetupFailed, ex.Message);
        }
    }

    private int List(string journal)
    {
        foreach (JournalEntry entry in Replay.Entries(journal).Where(e => _all.HasValue() || e.Status != ItemStatus.Succeeded))
        {
            string error = entry.Error?.ToString().ReplaceLineEndings(" ") ?? "";
            _out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{entry.Key}\t{Words.Of(entry.Status)}\t{entry.Attempts}\t{error}"));
        }

        return ExitCodes.Success;
    }

    private int Perform(string journal, string key)
    {
        if (string.IsNullOrEmpty(_assembly.Value))
        {
            return _run.Usage("missing the job assembly: divvy replay --journal PATH --item KEY job.dll [job arguments...]");
        }

        ReadOnlyMemory<byte> payload = Replay.Payload(journal, key);
        IJob job;
        try
        {
            job = JobBinder.Bind(JobLoader.Load(_assembly.Value!, _job.Value(), _jobArguments));
        }
        catch (JobLoadException ex)
        {
            return _run.Fail(ex.ExitCode, ex.Message);
        }
        catch (JobDefinitionException ex)
        {
            return _run.Fail(ExitCodes.JobNotConstructible, ex.Message);
        }

        object? item;
        try
        {
            item = job.DeserializeItem(payload);
        }
        catch (MessagePack.MessagePackSerializationException ex)
        {
            return _run.Fail(ExitCodes.SetupFailed, $"the journal's copy of item '{key}' does not read as a {job.ItemType.FullName}: is this the run's job, built the same? ({ex.Message})");
        }

        object? result;
        try
        {
            result = job.Replay(item, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Perform's own exception, whole: type, message and the stack down to the line that threw.
            return _run.Fail(ExitCodes.ItemsFailed, $"item '{key}' threw {ex}");
        }

        _out.WriteLine(MessagePack.MessagePackSerializer.ConvertToJson(job.WriteResult(result)));
        return ExitCodes.Success;
    }
}
