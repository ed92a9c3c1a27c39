using System.Reflection;
using System.Runtime.Loader;

namespace Divvy.Cli.Loading;

/// <summary>
/// Loads a job assembly with its own dependencies (from its .deps.json), while Divvy, MessagePack
/// and everything else this tool ships come from the tool itself: the job's <c>IParallelizable</c>
/// and <c>[MessagePackObject]</c> must be the very types Divvy checks for.
/// </summary>
internal sealed class JobLoadContext : AssemblyLoadContext
{
    private static readonly HashSet<string> s_hostAssemblies = HostAssemblyNames();
    private readonly AssemblyDependencyResolver _resolver;

    public JobLoadContext(string assemblyPath)
        : base($"divvy job {Path.GetFileName(assemblyPath)}")
    {
        _resolver = new AssemblyDependencyResolver(assemblyPath);
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is { } name && s_hostAssemblies.Contains(name))
        {
            return null;
        }

        string? path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        string? path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }

    private static HashSet<string> HostAssemblyNames()
    {
        // The trusted platform assemblies are the framework plus this tool's own dependencies.
        string list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "";
        return list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
    }
}
