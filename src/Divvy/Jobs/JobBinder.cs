using System.Reflection;
using Divvy.Launching;

namespace Divvy.Jobs;

/// <summary>Finds a job's item and result types and checks it implements what it must, before any process starts.</summary>
internal static class JobBinder
{
    public static IJob Bind(IParallelizable job)
    {
        ArgumentNullException.ThrowIfNull(job);
        Type type = job.GetType();
        Type contract = Contract(type);
        Type[] arguments = contract.GetGenericArguments();
        Type itemType = arguments[0];
        Type resultType = arguments[1];

        // A worker needs only the adapter: the master has checked the job before any worker
        // existed, and the shape (how to dispatch, whether to report attempts) is the master's
        // business. Reading interface maps is a start-up cost in every worker.
        JobShape shape = WorkerEnvironment.IsWorkerProcess ? default : Check(type, contract, itemType, resultType);
        Type adapter = typeof(JobAdapter<,>).MakeGenericType(itemType, resultType);
        return (IJob)Activator.CreateInstance(adapter, job, shape)!;
    }

    /// <summary>The one <c>IParallelizable&lt;TItem, TResult&gt;</c> the job implements.</summary>
    private static Type Contract(Type type)
    {
        Type? contract = null;
        int count = 0;
        foreach (Type candidate in type.GetInterfaces())
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IParallelizable<,>))
            {
                contract = candidate;
                count++;
            }
        }

        if (count != 1)
        {
            throw new JobDefinitionException(count == 0
                ? $"job {type.FullName} implements IParallelizable but neither IParallelizable<TItem> nor IParallelizable<TItem, TResult>"
                : $"job {type.FullName} implements IParallelizable<TItem, TResult> for {count} item types; implement exactly one");
        }

        return contract!;
    }

    /// <summary>Refuses a job that lacks Dispatch or Perform, or has a near miss; returns what the scheduler needs to know of its shape.</summary>
    private static JobShape Check(Type type, Type contract, Type itemType, Type resultType)
    {
        // One interface map per contract, read once.
        InterfaceMapping map = type.GetInterfaceMap(contract);
        HashSet<string> supplied = Supplied(map);
        Type voidContract = typeof(IParallelizable<>).MakeGenericType(itemType);
        InterfaceMapping? voidMap = null;
        if (resultType == typeof(NoResult) && voidContract.IsAssignableFrom(type))
        {
            // Perform and PerformAsync of a job without results live on IParallelizable<TItem>.
            voidMap = type.GetInterfaceMap(voidContract);
            foreach (string name in Supplied(voidMap.Value))
            {
                if (name.StartsWith("Perform", StringComparison.Ordinal))
                {
                    supplied.Add(name);
                }
            }
        }

        // Refused before any process starts.
        RefuseNearMisses(type, map, voidMap, supplied);
        Require(type, supplied, "Dispatch() or DispatchAsync(CancellationToken)", "Dispatch", "DispatchAsync");
        Require(type, supplied, "Perform(item) or PerformAsync(item, CancellationToken)", "Perform", "PerformAsync");
        return new JobShape(
            DispatchesSynchronously: !supplied.Contains("DispatchAsync"),
            ObservesAttempts: supplied.Contains("OnAttempt"),
            ReportsResultsAsynchronously: supplied.Contains("OnResultAsync"),
            PreparesSpawnsAsynchronously: supplied.Contains("BeforeSpawnAsync"));
    }

    /// <summary>
    /// The interface gives every member a default body, so a job that forgets one compiles; the
    /// interface map shows which members the class (rather than the interface itself) supplies.
    /// </summary>
    private static HashSet<string> Supplied(InterfaceMapping map)
    {
        var supplied = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < map.InterfaceMethods.Length; i++)
        {
            if (!map.TargetMethods[i].DeclaringType!.IsInterface)
            {
                supplied.Add(map.InterfaceMethods[i].Name);
            }
        }

        return supplied;
    }

    /// <summary>
    /// A public method named like a member of the contract that implements none of it compiles
    /// (the interface has a default body for everything) and is then never called, or the default
    /// throws "must implement" about the very method the user wrote. One pass over the class's
    /// public methods finds those and names the signature that was meant. A method that merely
    /// shares a name with a member the class does implement (an overload, a helper) is left alone.
    /// </summary>
    private static void RefuseNearMisses(Type type, InterfaceMapping map, InterfaceMapping? voidMap, HashSet<string> supplied)
    {
        var expected = new Dictionary<string, MethodInfo>(StringComparer.Ordinal);
        // Keyed by the method objects reflection caches per type (a set over a struct key would be
        // one more generic instantiation to JIT-compile before the first worker starts).
        var implementing = new HashSet<MethodInfo>();
        foreach (InterfaceMapping mapping in voidMap is { } v ? [map, v] : new[] { map })
        {
            for (int i = 0; i < mapping.InterfaceMethods.Length; i++)
            {
                MethodInfo member = mapping.InterfaceMethods[i];
                if (member.IsPublic)
                {
                    // For a job without results the void contract's Perform is the one to write.
                    expected[member.Name] = member;
                }

                implementing.Add(mapping.TargetMethods[i]);
            }
        }

        foreach (MethodInfo method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance))
        {
            if (expected.TryGetValue(method.Name, out MethodInfo? meant)
                && !implementing.Contains(method)
                && !supplied.Contains(method.Name))
            {
                throw new JobDefinitionException(
                    $"job {type.FullName} declares {method.Name} with a signature that implements nothing, so it would never be called: " +
                    $"{type.Name}.{method.Name}({Parameters(method, names: false)}) returns {TypeNames.Of(method.ReturnType)}; " +
                    $"expected {TypeNames.Of(meant.ReturnType)} {meant.Name}({Parameters(meant, names: true)}) " +
                    $"from {TypeNames.Of(meant.DeclaringType!)}");
            }
        }
    }

    /// <summary>A method's parameter list as C# shows it (a loop, not LINQ: binding a job in the master loads no System.Linq).</summary>
    private static string Parameters(MethodInfo method, bool names)
    {
        ParameterInfo[] parameters = method.GetParameters();
        string[] shown = new string[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            shown[i] = names ? $"{TypeNames.Of(parameters[i].ParameterType)} {parameters[i].Name}" : TypeNames.Of(parameters[i].ParameterType);
        }

        return string.Join(", ", shown);
    }

    private static void Require(Type type, HashSet<string> supplied, string description, string name, string asyncName)
    {
        if (!supplied.Contains(name) && !supplied.Contains(asyncName))
        {
            throw JobDefinitionException.Missing(type, description);
        }
    }
}
