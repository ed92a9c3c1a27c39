namespace Divvy.Cli.Loading;

/// <summary>The job assembly or type cannot be used; carries the exit code that says which way.</summary>
internal sealed class JobLoadException : Exception
{
    public JobLoadException(int exitCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; }
}
