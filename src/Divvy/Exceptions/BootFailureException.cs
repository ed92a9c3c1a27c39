using System.Globalization;
using System.Text;

namespace Divvy;

/// <summary>
/// Workers kept dying before completing any item (their boot hook threw, the program exits early,
/// the protocol does not match), so the run stopped rather than respawn them forever. The message
/// is one block: the cause, the dead workers grouped by how they ended, and the tail of standard
/// error once (the same from every worker, or the last worker's).
/// </summary>
public sealed class BootFailureException : DivvyException
{
    /// <summary>Creates the exception from the workers that died.</summary>
    public BootFailureException(IReadOnlyList<WorkerFailure> failures)
        : this(failures, $"{nameof(MasterOptions)}.{nameof(MasterOptions.MaxBootFailures)}")
    {
    }

    /// <param name="failures">The workers that died.</param>
    /// <param name="limitName">How the reader names the limit: the option, or the <c>divvy</c> flag.</param>
    internal BootFailureException(IReadOnlyList<WorkerFailure> failures, string limitName)
        : base(Describe(failures, limitName))
    {
        Failures = failures;
    }

    /// <summary>The workers that died before completing an item, oldest first.</summary>
    public IReadOnlyList<WorkerFailure> Failures { get; }

    private static string Describe(IReadOnlyList<WorkerFailure> failures, string limitName)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"workers keep dying before completing any item: {failures.Count} in a row ({limitName}), so the run stopped");

        // One group per way of dying: most boot failures are one cause in every worker.
        var groups = failures.GroupBy(f => (f.Exit.ExitCode, Reason: f.Reason?.ToString())).ToList();
        if (groups.Count == 1 && groups[0].Key.Reason is { } cause)
        {
            text.Append(": ").Append(cause);
        }

        foreach (var group in groups)
        {
            text.AppendLine().Append("  ").Append(Workers(group.ToList())).Append(' ').Append(Ended(group.First().Exit, group.Count())).Append(" before completing an item");
            if (groups.Count > 1 && group.Key.Reason is { } reason)
            {
                text.Append(": ").Append(reason);
            }
        }

        AppendTail(text, failures);
        return text.ToString();
    }

    /// <summary>The tail once: shared by every worker, or the last one's.</summary>
    private static void AppendTail(StringBuilder text, IReadOnlyList<WorkerFailure> failures)
    {
        WorkerFailure? last = failures.LastOrDefault(f => f.StandardErrorTail.Count > 0);
        if (last is null)
        {
            return;
        }

        bool same = failures.All(f => f.StandardErrorTail.SequenceEqual(last.StandardErrorTail));
        text.AppendLine().Append("  ").Append(same && failures.Count > 1 ? "each wrote to stderr:" : $"{last.Worker}, the last to die, wrote to stderr:");
        foreach (string line in last.StandardErrorTail)
        {
            text.AppendLine().Append("    | ").Append(line);
        }
    }

    /// <summary><c>workers 1-3, 5 (pids 11, 12, 13, 15)</c> or <c>worker 2 (pid 12)</c>.</summary>
    private static string Workers(List<WorkerFailure> group)
    {
        int[] numbers = group.Select(f => f.Worker.Number).Distinct().Order().ToArray();
        string[] pids = group.Where(f => f.Worker.ProcessId is not null).OrderBy(f => f.Worker.Number).Select(f => f.Worker.ProcessId!.Value.ToString(CultureInfo.InvariantCulture)).ToArray();
        string who = numbers.Length == 1 ? $"worker {numbers[0]}" : $"workers {Ranges(numbers)}";
        return pids.Length == 0 ? who : $"{who} ({(pids.Length == 1 ? "pid" : "pids")} {string.Join(", ", pids)})";
    }

    private static string Ranges(int[] sorted)
    {
        var parts = new List<string>();
        for (int i = 0; i < sorted.Length;)
        {
            int j = i;
            while (j + 1 < sorted.Length && sorted[j + 1] == sorted[j] + 1)
            {
                j++;
            }

            parts.Add(j == i ? sorted[i].ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{sorted[i]}-{sorted[j]}"));
            i = j + 1;
        }

        return string.Join(", ", parts);
    }

    private static string Ended(WorkerExit exit, int count) => exit.Signal is null
        ? string.Create(CultureInfo.InvariantCulture, $"exited with code {exit.ExitCode}")
        : $"{(count == 1 ? "was" : "were")} {exit}";
}
