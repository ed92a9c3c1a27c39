using System.Text;

namespace Divvy;

/// <summary>One worker that died: who it was, how it ended, and what it said.</summary>
public sealed class WorkerFailure
{
    /// <summary>Creates a failure record.</summary>
    public WorkerFailure(WorkerInfo worker, WorkerExit exit, RemoteError? reason, IReadOnlyList<string> standardErrorTail)
    {
        Worker = worker;
        Exit = exit;
        Reason = reason;
        StandardErrorTail = standardErrorTail;
    }

    /// <summary>The worker.</summary>
    public WorkerInfo Worker { get; }

    /// <summary>How its process ended.</summary>
    public WorkerExit Exit { get; }

    /// <summary>The error the worker reported before exiting, if it reported one (a boot hook that threw, a version mismatch).</summary>
    public RemoteError? Reason { get; }

    /// <summary>The last lines the worker wrote to standard error.</summary>
    public IReadOnlyList<string> StandardErrorTail { get; }

    /// <summary><c>worker 2, pid 4711: exit code 3: System.Exception: boom</c>, then the stderr tail.</summary>
    public override string ToString()
    {
        var text = new StringBuilder($"{Worker}: {Exit}");
        if (Reason is not null)
        {
            text.Append(": ").Append(Reason);
        }

        foreach (string line in StandardErrorTail)
        {
            text.Append("\n  | ").Append(line);
        }

        return text.ToString();
    }
}
