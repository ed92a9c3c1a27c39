using System.Runtime.InteropServices;
using Divvy.Scheduling;

namespace Divvy;

public sealed partial class Master
{
    /// <summary>
    /// SIGINT and SIGQUIT stop gracefully (a second SIGINT forces); SIGTERM kills the workers;
    /// SIGTTIN and SIGTTOU add and remove a worker.
    /// The handlers live only while the run does.
    /// </summary>
    private static IDisposable InstallSignalHandlers(Scheduler scheduler)
    {
        int interrupts = 0;
        var registrations = new List<PosixSignalRegistration>();
        TryRegister(registrations, PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            bool first = Interlocked.Increment(ref interrupts) == 1;
            scheduler.RequestStop(first ? StopReason.Interrupted : StopReason.Terminated, force: !first);
        });
        TryRegister(registrations, PosixSignal.SIGQUIT, context =>
        {
            context.Cancel = true;
            scheduler.RequestStop(StopReason.Interrupted, force: false);
        });
        TryRegister(registrations, PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            scheduler.RequestStop(StopReason.Terminated, force: true);
        });

        if (!OperatingSystem.IsWindows())
        {
            // As unicorn: TTIN adds a worker, TTOU removes one.
            TryRegister(registrations, PosixSignal.SIGTTIN, context =>
            {
                context.Cancel = true;
                scheduler.ResizeBy(+1);
            });
            TryRegister(registrations, PosixSignal.SIGTTOU, context =>
            {
                context.Cancel = true;
                scheduler.ResizeBy(-1);
            });
        }
        return new Registrations(registrations);
    }

    private static void TryRegister(List<PosixSignalRegistration> registrations, PosixSignal signal, Action<PosixSignalContext> handler)
    {
        try
        {
            registrations.Add(PosixSignalRegistration.Create(signal, handler));
        }
        catch (PlatformNotSupportedException)
        {
            // SIGQUIT has no equivalent on Windows; the other two still work.
        }
    }

    private sealed class Registrations(List<PosixSignalRegistration> registrations) : IDisposable
    {
        public void Dispose() => registrations.ForEach(r => r.Dispose());
    }

    private sealed class NoSignals : IDisposable
    {
        public static readonly NoSignals Instance = new();

        public void Dispose()
        {
        }
    }
}
