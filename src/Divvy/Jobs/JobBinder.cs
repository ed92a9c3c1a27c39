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
        Type[] contracts = type.GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IParallelizable<,>))
            .ToArray();
        if (contracts.Length != 1)
        {
            throw new JobDefinitionException(contracts.Length == 0
                ? $"job {type.FullName} implements IParallelizable but neither IParallelizable<TItem> nor IParallelizable<TItem, TResult>"
                : $"job {type.FullName} implements IParallelizable<TItem, TResult> for {contracts.Length} item types; implement exactly one");
        }

        Type contract = contracts[0];
        Type[] arguments = contract.GetGenericArguments();
        Type itemType = arguments[0];
        Type resultType = arguments[1];

        // One interface map per contract, read once: reflection over it is a start-up cost in every worker.
        InterfaceMapping map = type.GetInterfaceMap(contract);
        HashSet<string> supplied = Supplied(map);
        Type voidContract = typeof(IParallelizable<>).MakeGenericType(itemType);
        InterfaceMapping? voidMap = null;
        if (resultType == typeof(NoResult) && voidContract.IsAssignableFrom(type))
        {
            // Perform and PerformAsync of a job without results live on IParallelizable<TItem>.
            voidMap = type.GetInterfaceMap(voidContract);
            supplied.UnionWith(Supplied(voidMap.Value).Where(name => name.StartsWith("Perform", StringComparison.Ordinal)));
        }

        if (!WorkerEnvironment.IsWorkerProcess)
        {
            // The master refuses a near miss before any process starts; a worker need not pay for it again.
            RefuseNearMisses(type, map, voidMap, supplied);
        }

        Require(type, supplied, "Dispatch() or DispatchAsync(CancellationToken)", "Dispatch", "DispatchAsync");
        Require(type, supplied, "Perform(item) or PerformAsync(item, CancellationToken)", "Perform", "PerformAsync");
        var shape = new JobShape(
            DispatchesSynchronously: !supplied.Contains("DispatchAsync"),
            ObservesAttempts: supplied.Contains("OnAttempt"));
        Type adapter = typeof(JobAdapter<,>).MakeGenericType(itemType, resultType);
        return (IJob)Activator.CreateInstance(adapter, job, shape)!;
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
        var implementing = new HashSet<RuntimeMethodHandle>();
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

                implementing.Add(mapping.TargetMethods[i].MethodHandle);
            }
        }

        foreach (MethodInfo method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance))
        {
            if (expected.TryGetValue(method.Name, out MethodInfo? meant)
                && !implementing.Contains(method.MethodHandle)
                && !supplied.Contains(method.Name))
            {
                throw new JobDefinitionException(
                    $"job {type.FullName} declares {method.Name} with a signature that implements nothing, so it would never be called: " +
                    $"{type.Name}.{method.Name}({string.Join(", ", method.GetParameters().Select(p => TypeNames.Of(p.ParameterType)))}) returns {TypeNames.Of(method.ReturnType)}; " +
                    $"expected {TypeNames.Of(meant.ReturnType)} {meant.Name}({string.Join(", ", meant.GetParameters().Select(p => $"{TypeNames.Of(p.ParameterType)} {p.Name}"))}) " +
                    $"from {TypeNames.Of(meant.DeclaringType!)}");
            }
        }
    }

    private static void Require(Type type, HashSet<string> supplied, string description, params string[] names)
    {
        if (!names.Any(supplied.Contains))
        {
            throw JobDefinitionException.Missing(type, description);
        }
    }
}
