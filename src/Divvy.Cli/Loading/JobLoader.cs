using System.Reflection;

namespace Divvy.Cli.Loading;

/// <summary>Finds and constructs the job in an assembly named on the command line.</summary>
internal static class JobLoader
{
    public static IParallelizable Load(string assemblyPath, string? jobTypeName, string[] jobArguments)
    {
        string fullPath = Path.GetFullPath(assemblyPath);
        if (!File.Exists(fullPath))
        {
            throw new JobLoadException(ExitCodes.AssemblyNotFound, $"job assembly not found: {assemblyPath}{DidYouMean(assemblyPath)}");
        }

        Assembly assembly = LoadAssembly(fullPath, assemblyPath);
        RefuseNewerDivvy(assembly, assemblyPath);
        Type jobType = FindJobType(assembly, jobTypeName, assemblyPath);
        return Construct(jobType, jobArguments);
    }

    private static Assembly LoadAssembly(string fullPath, string shownPath)
    {
        try
        {
            return new JobLoadContext(fullPath).LoadFromAssemblyPath(fullPath);
        }
        catch (BadImageFormatException)
        {
            throw new JobLoadException(ExitCodes.NotAnAssembly, $"not a .NET assembly: {shownPath}{DidYouMean(shownPath)}");
        }
        catch (FileLoadException ex)
        {
            throw new JobLoadException(ExitCodes.NotAnAssembly, $"cannot load {shownPath}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The job's Divvy types must be this tool's own, and the runtime will not bind a reference to a
    /// newer Divvy to this older one: every job type would then fail to load and the job would look
    /// absent. Say what is really wrong instead.
    /// </summary>
    private static void RefuseNewerDivvy(Assembly assembly, string shownPath)
    {
        Version tool = typeof(IParallelizable).Assembly.GetName().Version ?? new Version(0, 0);
        AssemblyName? divvy = assembly.GetReferencedAssemblies().FirstOrDefault(a => a.Name == "Divvy");
        if (divvy?.Version is { } built && built > tool)
        {
            throw new JobLoadException(
                ExitCodes.NoJobType,
                $"{shownPath} was built against Divvy {built.ToString(3)}, newer than this divvy's {tool.ToString(3)}: update the tool (dotnet tool update --global Divvy.Cli --prerelease) or build the job against Divvy {tool.ToString(3)}");
        }
    }

    /// <summary>
    /// <c>MyJob</c> (or <c>MyJob.exe</c>) is the apphost that starts <c>MyJob.dll</c>; divvy needs the
    /// assembly itself, so name it when it is right there.
    /// </summary>
    private static string DidYouMean(string shownPath)
    {
        if (shownPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            return "";
        }

        string assembly = shownPath.EndsWith(".exe", StringComparison.OrdinalIgnoreCase) ? Path.ChangeExtension(shownPath, ".dll") : shownPath + ".dll";
        return File.Exists(assembly) ? $"; did you mean {assembly}?" : "";
    }

    private static Type FindJobType(Assembly assembly, string? jobTypeName, string shownPath)
    {
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            // Some types need dependencies that are missing; the loadable ones may still hold the job.
            types = ex.Types.OfType<Type>().ToArray();
        }

        Type[] jobs = types
            .Where(t => t is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false } && typeof(IParallelizable).IsAssignableFrom(t))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToArray();

        if (jobTypeName is not null)
        {
            Type[] named = jobs.Where(t => t.FullName == jobTypeName || t.Name == jobTypeName).ToArray();
            return named.Length switch
            {
                1 => named[0],
                0 => throw new JobLoadException(ExitCodes.NoJobType, $"no job type named '{jobTypeName}' in {shownPath}; job types: {List(jobs)}"),
                _ => throw new JobLoadException(ExitCodes.SeveralJobTypes, $"several job types named '{jobTypeName}' in {shownPath}: {List(named)}; give the full name"),
            };
        }

        return jobs.Length switch
        {
            1 => jobs[0],
            0 => throw new JobLoadException(ExitCodes.NoJobType, $"no job type in {shownPath}: no public class implements Divvy.IParallelizable<TItem> or IParallelizable<TItem, TResult>"),
            _ => throw new JobLoadException(ExitCodes.SeveralJobTypes, $"{jobs.Length} job types in {shownPath}, pick one with --job: {List(jobs)}"),
        };
    }

    private static IParallelizable Construct(Type jobType, string[] jobArguments)
    {
        ConstructorInfo? withArgs = jobType.GetConstructor([typeof(string[])]);
        ConstructorInfo? parameterless = jobType.GetConstructor(Type.EmptyTypes);
        try
        {
            if (withArgs is not null)
            {
                return (IParallelizable)withArgs.Invoke([jobArguments]);
            }

            if (parameterless is not null)
            {
                return (IParallelizable)parameterless.Invoke([]);
            }
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw new JobLoadException(ExitCodes.JobNotConstructible, $"the constructor of {jobType.FullName} threw {ex.InnerException.GetType().Name}: {ex.InnerException.Message}", ex.InnerException);
        }

        throw new JobLoadException(ExitCodes.JobNotConstructible, $"job {jobType.FullName} has no usable constructor: give it a public constructor taking (string[] args), or none");
    }

    private static string List(IEnumerable<Type> types) => string.Join(", ", types.Select(t => t.FullName));
}
