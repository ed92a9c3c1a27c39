using System.Diagnostics.CodeAnalysis;

namespace Divvy.Monitoring;

/// <summary>
/// Finds the dashboard of the Divvy.Dashboard package when <see cref="MasterOptions.MetricsPort"/> asks
/// for it. A package of its own because it runs on ASP.NET Core: an application that never serves a
/// dashboard does not need that shared framework installed, nor pay for loading it.
/// </summary>
internal static class DashboardLoader
{
    internal const string TypeName = "Divvy.Dashboard.DashboardEndpoint, Divvy.Dashboard";

    [UnconditionalSuppressMessage("Trimming", "IL2057", Justification = "Divvy.Dashboard keeps its endpoint's constructor.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Divvy.Dashboard keeps its endpoint's constructor.")]
    public static IRunEndpoint Load()
    {
        Type? type;
        try
        {
            type = Type.GetType(TypeName, throwOnError: false);
        }
        catch (Exception ex) when (ex is FileLoadException or BadImageFormatException)
        {
            throw new RunSetupException($"MetricsPort needs the Divvy.Dashboard package, which did not load: {ex.Message}", ex);
        }

        if (type is null)
        {
            throw new RunSetupException("MetricsPort needs the Divvy.Dashboard package: add it to the project (dotnet add package Divvy.Dashboard), or set MasterOptions.Endpoint");
        }

        return (IRunEndpoint)Activator.CreateInstance(type)!;
    }
}
