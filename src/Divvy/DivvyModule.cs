using System.Runtime.CompilerServices;
using Divvy.Launching;

namespace Divvy;

internal static class DivvyModule
{
    /// <summary>
    /// Reads the worker marker as soon as the Divvy assembly loads, before job code gets a chance to
    /// run, so no code path can miss it and act as a master inside a worker.
    /// </summary>
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "Worker detection must happen before any job code runs; this is the one place that guarantees it.")]
    internal static void Initialize() => WorkerEnvironment.Capture();
}
