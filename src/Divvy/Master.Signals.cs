using System.Runtime.InteropServices;
using Divvy.Options;
using Divvy.Scheduling;
using Microsoft.Extensions.Logging;

namespace Divvy;

public sealed partial class Master
{
    /// <summary>
    /// SIGINT and SIGQUIT stop gracefully (a second SIGINT forces); SIGTERM kills the workers;
    /// SIGTTIN and SIGTTOU add and remove a worker. What a stop will do is logged as a warning, so
    /// whoever pressed Ctrl-C learns whether to wait. The handlers live only while the run does.
    /// </summary>
    private IDisposable InstallSignalHandlers(Scheduler scheduler)
    {
        ILogger log = _options.LoggerFactory.CreateLogger("Divvy.Master");
        int interrupts = 0;
        var registrations = new List<PosixSignalRegistration>();
        TryRegister(registrations, PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            bool first = Interlocked.Increment(ref interrupts) == 1;
            if (first)
            {
                LogStopping(log, scheduler.Progress.InFlight);
            }
            else
            {
                Log.Killing(log);
            }

            scheduler.RequestStop(first ? StopReason.Interrupted : StopReason.Terminated, force: !first);
        });
        TryRegister(registrations, PosixSignal.SIGQUIT, context =>
        {
            context.Cancel = true;
            if (Interlocked.Increment(ref interrupts) == 1)
            {
                LogStopping(log, scheduler.Progress.InFlight);
            }

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

    private void LogStopping(ILogger log, int inFlight)
    {
        if (inFlight == 0)
        {
            Log.StoppingIdle(log);
            return;
        }

        string items = inFlight == 1 ? "1 item in flight" : $"{inFlight} items in flight";
        Log.Stopping(log, items, OptionText.Duration(_options.ShutdownTimeout), _options.Vocabulary.Name(nameof(MasterOptions.ShutdownTimeout)));
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
