namespace Divvy;

/// <summary>A job type is not usable as written: a required member is missing, or it has no item type Divvy understands.</summary>
public sealed class JobDefinitionException : DivvyException
{
    /// <summary>Creates the exception.</summary>
    public JobDefinitionException(string message) : base(message) { }

    internal static JobDefinitionException Missing(Type jobType, string members) =>
        new($"job {jobType.FullName} must implement {members}");
}
