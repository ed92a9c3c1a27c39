using System.Reflection;

namespace Divvy.Tracing;

/// <summary>
/// Whether anything listens to Divvy's spans, asked without loading System.Diagnostics.DiagnosticSource:
/// until that assembly is loaded no listener can exist, and a master that nobody traces does not map
/// it (as <see cref="Metrics.RunMetrics"/> does not for its meter). Once it is loaded, the answer is
/// <see cref="DivvySpans.HasListeners"/>: an allocation-free check, once per item sent.
/// </summary>
internal static class TraceGate
{
    private const string DiagnosticSourceName = "System.Diagnostics.DiagnosticSource";

    private static volatile bool s_loaded;

    static TraceGate()
    {
        AppDomain.CurrentDomain.AssemblyLoad += OnAssemblyLoad;
        foreach (Assembly assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (IsDiagnosticSource(assembly))
            {
                Loaded();
                break;
            }
        }
    }

    /// <summary>Whether a listener wants Divvy's spans now.</summary>
    public static bool IsListening => s_loaded && DivvySpans.HasListeners();

    private static bool IsDiagnosticSource(Assembly assembly) => assembly.GetName().Name == DiagnosticSourceName;

    private static void OnAssemblyLoad(object? sender, AssemblyLoadEventArgs args)
    {
        if (IsDiagnosticSource(args.LoadedAssembly))
        {
            Loaded();
        }
    }

    private static void Loaded()
    {
        s_loaded = true;
        AppDomain.CurrentDomain.AssemblyLoad -= OnAssemblyLoad;
    }
}
