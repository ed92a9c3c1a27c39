namespace Divvy.Launching.Slurm;

/// <summary>What the master asks Slurm about one of its workers' jobs: how it ended, and how long it has left.</summary>
internal static class SlurmJobQueries
{
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How the job <paramref name="id"/> (an array task, <c>426_0</c>) ended, asked of
    /// <c>scontrol show job</c> until Slurm has recorded its end (it may take a moment after the
    /// worker's connection dropped) or <paramref name="wait"/> has passed; <paramref name="lost"/>,
    /// with what Slurm said, when it still has the job running or cannot be asked.
    /// </summary>
    public static async Task<WorkerEnd> ExplainAsync(string id, WorkerEnd lost, TimeSpan wait)
    {
        DateTime until = DateTime.UtcNow + wait;
        SlurmJobRecord? record = null;
        while (true)
        {
            try
            {
                SlurmCommand shown = await SlurmCommand.RunAsync("scontrol", ["show", "job", "-o", id]).ConfigureAwait(false);
                record = shown.Succeeded ? SlurmJobRecord.Parse(id, shown.Output) ?? record : record;
            }
            catch (WorkerSpawnException)
            {
                return lost;
            }

            if (record?.ToWorkerEnd() is { } end)
            {
                return end;
            }

            if (DateTime.UtcNow + s_poll > until)
            {
                // Still running as far as Slurm knows: the connection, not the worker, went away.
                return record is null ? lost : lost with { Detail = record.Describe() };
            }

            await Task.Delay(s_poll).ConfigureAwait(false);
        }
    }

    /// <summary>How long the job <paramref name="id"/> has before Slurm ends it (<c>squeue -o %L</c>); <c>null</c> for no limit, or when Slurm cannot say.</summary>
    public static async Task<TimeSpan?> TimeLeftAsync(string id)
    {
        try
        {
            SlurmCommand left = await SlurmCommand.RunAsync("squeue", ["-h", "-j", id, "-o", "%L"]).ConfigureAwait(false);
            return left.Succeeded ? SlurmTimeLeft.Parse(left.Output) : null;
        }
        catch (WorkerSpawnException)
        {
            return null;
        }
    }
}
