using System.Reflection;

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

        // One interface map, read once: reflection over it is a start-up cost in every worker.
        HashSet<string> supplied = Supplied(type, contract);
        Type voidContract = typeof(IParallelizable<>).MakeGenericType(itemType);
        if (resultType == typeof(NoResult) && voidContract.IsAssignableFrom(type))
        {
            // Perform and PerformAsync of a job without results live on IParallelizable<TItem>.
            supplied.UnionWith(Supplied(type, voidContract).Where(name => name.StartsWith("Perform", StringComparison.Ordinal)));
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
    private static HashSet<string> Supplied(Type type, Type contract)
    {
        InterfaceMapping map = type.GetInterfaceMap(contract);
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

    private static void Require(Type type, HashSet<string> supplied, string description, params string[] names)
    {
        if (!names.Any(supplied.Contains))
        {
            throw JobDefinitionException.Missing(type, description);
        }
    }
}
