namespace Divvy.Launching.Slurm;

/// <summary>Reads <c>squeue -h -o "%i %T %r"</c>: one line per task (job id, state, reason).</summary>
internal static class SlurmQueue
{
    /// <summary>
    /// Tasks counted by state and reason, most first: <c>4 PENDING (PartitionDown)</c> or
    /// <c>3 RUNNING, 1 PENDING (Resources)</c>; empty when no line was given.
    /// </summary>
    public static string Summarize(string squeueOutput)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (string line in squeueOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] fields = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2)
            {
                continue;
            }

            string reason = fields.Length > 2 && fields[2] is not ("None" or "(null)") ? $" ({fields[2].Trim('(', ')')})" : "";
            string key = fields[1] + reason;
            if (counts.TryAdd(key, 1))
            {
                order.Add(key);
            }
            else
            {
                counts[key]++;
            }
        }

        order.Sort((a, b) => counts[b].CompareTo(counts[a]));
        var parts = new string[order.Count];
        for (int i = 0; i < order.Count; i++)
        {
            parts[i] = $"{counts[order[i]]} {order[i]}";
        }

        return string.Join(", ", parts);
    }
}
