namespace Divvy.Hosting;

/// <summary>The host's Divvy run, from the container: its <see cref="Completion"/> gives the summary once it has ended (master only).</summary>
public sealed class DivvyRun
{
    private readonly TaskCompletionSource<RunSummary> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The run's summary when it ends; faulted with what ended it when an exception did; cancelled when the host stopped before the run began.</summary>
    public Task<RunSummary> Completion => _completion.Task;

    /// <summary>The running master while the run lasts (for <see cref="Master.Progress"/> and <see cref="Master.Resize"/>); <c>null</c> before and after.</summary>
    public Master? Master { get; internal set; }

    internal void Ended(RunSummary summary) => _completion.TrySetResult(summary);

    internal void Failed(Exception error) => _completion.TrySetException(error);

    internal void NeverStarted() => _completion.TrySetCanceled();
}
