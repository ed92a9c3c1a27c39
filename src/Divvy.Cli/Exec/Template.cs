using System.Globalization;

namespace Divvy.Cli.Exec;

/// <summary>
/// GNU parallel's replacement strings: <c>{}</c> the input line, <c>{#}</c> its sequence number,
/// <c>{%}</c> the worker number. A template without <c>{}</c> gets the line appended, as xargs does.
/// </summary>
internal static class Template
{
    public static ExecTask ForLine(string[] command, string line, long sequence, bool shell)
    {
        bool mentionsLine = command.Any(part => part.Contains("{}", StringComparison.Ordinal));
        IEnumerable<string> parts = command.Select(part => part
            .Replace("{}", line, StringComparison.Ordinal)
            .Replace("{#}", sequence.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        if (!mentionsLine)
        {
            parts = parts.Append(line);
        }

        string[] all = parts.ToArray();
        return shell
            ? new ExecTask { Sequence = sequence, Identifier = line, Command = string.Join(' ', all), Shell = true }
            : new ExecTask { Sequence = sequence, Identifier = line, Command = all[0], Args = all[1..] };
    }

    /// <summary>One run of a repeated command; only <c>{#}</c> (the run number) is replaced.</summary>
    public static ExecTask ForRun(string[] command, long run, bool shell)
    {
        string[] all = command.Select(part => part.Replace("{#}", run.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)).ToArray();
        string identifier = $"run {run}";
        return shell
            ? new ExecTask { Sequence = run, Identifier = identifier, Command = string.Join(' ', all), Shell = true }
            : new ExecTask { Sequence = run, Identifier = identifier, Command = all[0], Args = all[1..] };
    }

    /// <summary>Fills in <c>{%}</c>, which only the worker knows.</summary>
    public static ExecTask ForWorker(ExecTask task, int worker)
    {
        string number = worker.ToString(CultureInfo.InvariantCulture);
        if (!task.Command.Contains("{%}", StringComparison.Ordinal) && !task.Args.Any(a => a.Contains("{%}", StringComparison.Ordinal)))
        {
            return task;
        }

        return new ExecTask
        {
            Sequence = task.Sequence,
            Identifier = task.Identifier,
            Command = task.Command.Replace("{%}", number, StringComparison.Ordinal),
            Args = task.Args.Select(a => a.Replace("{%}", number, StringComparison.Ordinal)).ToArray(),
            Env = task.Env,
            Cwd = task.Cwd,
            TimeoutSeconds = task.TimeoutSeconds,
            Shell = task.Shell,
        };
    }
}
