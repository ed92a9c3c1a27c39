namespace Divvy.Cli;

/// <summary>The <c>divvy</c> command's exit codes; the README lists them too.</summary>
internal static class ExitCodes
{
    /// <summary>Every item succeeded.</summary>
    public const int Success = 0;

    /// <summary>The run finished but some items failed or crashed their worker.</summary>
    public const int ItemsFailed = 1;

    /// <summary>Bad command-line arguments (unknown option, <c>-n 0</c>, missing assembly argument).</summary>
    public const int Usage = 2;

    /// <summary>
    /// The run cannot be set up as the options ask (the metrics port is in use, the metrics host is
    /// not this machine's): like bad arguments, the fix is on the command line, not in the job.
    /// </summary>
    public const int SetupFailed = Usage;

    /// <summary>The job assembly file does not exist.</summary>
    public const int AssemblyNotFound = 3;

    /// <summary>The file is not a .NET assembly, or cannot be loaded.</summary>
    public const int NotAnAssembly = 4;

    /// <summary>The assembly has no <c>IParallelizable</c> implementation (or none named by <c>--job</c>).</summary>
    public const int NoJobType = 5;

    /// <summary>The assembly has several job types and <c>--job</c> did not pick one.</summary>
    public const int SeveralJobTypes = 6;

    /// <summary>The job type has no usable constructor, its constructor threw, or it lacks Dispatch/Perform.</summary>
    public const int JobNotConstructible = 7;

    /// <summary>
    /// Workers kept dying before completing any item; or, with <c>--launcher external</c> or
    /// <c>slurm</c>, no worker was connected for <c>--connect-timeout</c> while the run needed one;
    /// or Slurm refused the workers.
    /// </summary>
    public const int BootFailure = 8;

    /// <summary>The job failed in the master: Dispatch or a hook threw, an item cannot be serialized, workers cannot be launched.</summary>
    public const int JobFailed = 9;

    /// <summary>Stopped by SIGINT or SIGQUIT (128 + 2).</summary>
    public const int Interrupted = 130;

    /// <summary>Stopped by SIGTERM or a second Ctrl-C (128 + 15).</summary>
    public const int Terminated = 143;

    /// <summary>The exit code of a finished run, for <c>divvy</c> and <c>divvy exec</c> alike.</summary>
    public static int ForRun(RunSummary summary, bool everythingSucceeded) => summary.StopReason switch
    {
        StopReason.Interrupted or StopReason.Cancelled => Interrupted,
        StopReason.Terminated => Terminated,
        _ => summary.IsSuccess && everythingSucceeded ? Success : ItemsFailed,
    };
}
