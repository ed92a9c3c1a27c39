namespace Divvy;

/// <summary>
/// The run could not be set up as its options ask, before any worker started: the dashboard
/// cannot listen on <see cref="MasterOptions.MetricsHost"/> and <see cref="MasterOptions.MetricsPort"/>
/// (the port is in use, the address is not this machine's, the Divvy.Dashboard package is missing).
/// Nothing is wrong with the job; change the options and run again.
/// </summary>
public sealed class RunSetupException : DivvyException
{
    /// <summary>Creates the exception.</summary>
    public RunSetupException(string message, Exception? innerException = null) : base(message, innerException) { }
}
