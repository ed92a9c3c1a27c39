namespace Divvy.Protocol;

/// <summary>How an attempt that did not succeed ended, as the worker saw it. Numbers are on the wire.</summary>
internal enum FailureKind
{
    /// <summary>Worth trying again: any exception unless the job says otherwise.</summary>
    Retry = 1,

    /// <summary>Do not retry: <see cref="FailItemException"/>, or the job's <c>ShouldRetry</c> said no.</summary>
    Permanent = 2,

    /// <summary>The soft deadline cancelled the item's token and Perform gave up.</summary>
    TimedOut = 3,
}
