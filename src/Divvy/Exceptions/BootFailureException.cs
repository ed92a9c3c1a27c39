using System.Text;

namespace Divvy;

/// <summary>
/// Workers kept dying before completing any item (their boot hook threw, the program exits early,
/// the protocol does not match), so the run stopped rather than respawn them forever. The message
/// carries each dead worker's exit and the tail of its standard error.
/// </summary>
public sealed class BootFailureException : DivvyException
{
    /// <summary>Creates the exception from the workers that died.</summary>
    public BootFailureException(IReadOnlyList<WorkerFailure> failures)
        : base(Describe(failures))
    {
        Failures = failures;
    }

    /// <summary>The workers that died before completing an item, oldest first.</summary>
    public IReadOnlyList<WorkerFailure> Failures { get; }

    private static string Describe(IReadOnlyList<WorkerFailure> failures)
    {
        var text = new StringBuilder();
        text.Append($"workers keep dying before completing any item: {failures.Count} in a row (MasterOptions.MaxBootFailures)");
        foreach (WorkerFailure failure in failures)
        {
            text.AppendLine().Append("  ").Append(failure.ToString().Replace("\n", "\n  ", StringComparison.Ordinal));
        }

        return text.ToString();
    }
}
