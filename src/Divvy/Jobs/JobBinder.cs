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
        CheckImplemented(type, contract, "Dispatch() or DispatchAsync(CancellationToken)", "Dispatch", "DispatchAsync");

        Type voidContract = typeof(IParallelizable<>).MakeGenericType(itemType);
        CheckImplemented(type, resultType == typeof(NoResult) && voidContract.IsAssignableFrom(type) ? voidContract : contract, "Perform(item) or PerformAsync(item, CancellationToken)", "Perform", "PerformAsync");

        var shape = new JobShape(
            DispatchesSynchronously: !Supplies(type, contract, "DispatchAsync"),
            ObservesAttempts: Supplies(type, contract, "OnAttempt"));
        Type adapter = typeof(JobAdapter<,>).MakeGenericType(itemType, resultType);
        return (IJob)Activator.CreateInstance(adapter, job, shape)!;
    }

    /// <summary>Whether the job's class (not the interface's default body) supplies the member.</summary>
    private static bool Supplies(Type type, Type contract, string name)
    {
        InterfaceMapping map = type.GetInterfaceMap(contract);
        for (int i = 0; i < map.InterfaceMethods.Length; i++)
        {
            if (map.InterfaceMethods[i].Name == name && !map.TargetMethods[i].DeclaringType!.IsInterface)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The interface gives every member a default body, so a job that forgets one compiles; the
    /// interface map shows whether the class (rather than the interface itself) supplies it.
    /// </summary>
    private static void CheckImplemented(Type type, Type contract, string description, params string[] names)
    {
        if (!names.Any(name => Supplies(type, contract, name)))
        {
            throw JobDefinitionException.Missing(type, description);
        }
    }
}
