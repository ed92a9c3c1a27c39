using System.Runtime.InteropServices;
using Divvy.Jobs;
using Divvy.Launching;
using Divvy.Transport.Tcp;

namespace Divvy.Worker;

/// <summary>The worker loop as a process runs it: opening the way to the master, signals, the parent watch.</summary>
internal sealed partial class WorkerHost
{
    /// <summary>
    /// Runs the loop of a real worker process on the endpoint its marker names, blocking the caller;
    /// returns the exit code. Over pipes nothing on the way to the loop waits, so nothing there is
    /// async: each async method would cost every worker its state machine's JIT-compiled plumbing.
    /// </summary>
    public static int RunInProcess(IWorkerJob job, WorkerEndpoint endpoint) => endpoint is WorkerEndpoint.Pipes pipes
        ? RunOnLink(job, WorkerStreams.ForPipes(pipes))
        : RunInProcessAsync(job, endpoint).GetAwaiter().GetResult();

    /// <summary>Runs the loop of a real worker process on the endpoint its marker names; returns the exit code.</summary>
    public static async Task<int> RunInProcessAsync(IWorkerJob job, WorkerEndpoint endpoint)
    {
        WorkerLink link;
        try
        {
            link = await WorkerStreams.OpenAsync(endpoint).ConfigureAwait(false);
        }
        catch (HandshakeException ex)
        {
            Console.Error.WriteLine($"divvy worker, pid {Environment.ProcessId}: {ex.Message}");
            return WorkerLink.ExitCodeFor(ex.Failure);
        }

        return await RunOnLinkAsync(job, link).ConfigureAwait(false);
    }

    /// <summary>Runs the loop of a real worker process on a way to its master that is already open.</summary>
    public static async Task<int> RunOnLinkAsync(IWorkerJob job, WorkerLink link)
    {
        // Not disposed: when the worker retires, the reader thread may still be blocked reading
        // the down stream, and disposing a pipe under a blocked read can wait for that read forever.
        // The process exits right after the loop, which closes it.
        using Stream upEnd = link.Up;
        return await ForLink(job, link).RunAsync().ConfigureAwait(false);
    }

    /// <summary>Runs the loop of a real worker process on a way to its master that is already open, blocking the caller.</summary>
    private static int RunOnLink(IWorkerJob job, WorkerLink link)
    {
        // As in RunOnLinkAsync: only the up stream is closed here.
        using Stream upEnd = link.Up;
        return ForLink(job, link).Run();
    }

    private static WorkerHost ForLink(IWorkerJob job, WorkerLink link)
    {
        if (link.Session is not null)
        {
            // Items come from the network: read them as untrusted data.
            Serialization.UseUntrustedData();
        }

        // A TCP worker process sends its stdout and stderr to the master; a local one has pipes of its own for them.
        var host = new WorkerHost(job, link.Down, link.Up, link.MasterProcessId, Environment.Exit, link.Session, captureOutput: link.Session is not null);
        if (link.Session is null)
        {
            // A local worker shares its master's terminal; a TCP worker has its own, where Ctrl-C
            // is the user's way to take it away (the master requeues what it held).
            host.IgnoreTerminalSignals();
        }

        // A process that goes while it holds results sends them first, and says which item it was in.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => host.ReportExit(null);
        AppDomain.CurrentDomain.UnhandledException += (_, e) => host.ReportExit(e.ExceptionObject as Exception);
        return host;
    }

    private void WatchParent(int master)
    {
        // Backstop for the pipe: if the master dies and something still holds the pipe open, the
        // change of parent still tells us.
        while (true)
        {
            Thread.Sleep(s_parentPoll);
            int parent = ParentProcess.Id;
            if (parent >= 0 && parent != master)
            {
                _exitProcess(WorkerExitCodes.MasterGone);
                return;
            }
        }
    }

    private void IgnoreTerminalSignals()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // Ctrl-C reaches the whole foreground process group. The master decides what a stop
        // means (finish the item in hand); a worker must not die of the keystroke itself.
        _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true));
        _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGQUIT, context => context.Cancel = true));
    }
}
