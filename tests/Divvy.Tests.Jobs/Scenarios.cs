using System.Globalization;
using Divvy;

namespace Divvy.Tests.Jobs;

public static class Scenarios
{
    /// <summary>The token the program runs the master with; a job may cancel it to stop its own run.</summary>
    public static readonly CancellationTokenSource RunCancellation = new();

    public static IParallelizable Create(string name, string[] args) => name switch
    {
        "echo" => new EchoJob(args),
        "hooks" => new HookJob(args),
        "asynchooks" => new AsyncHookJob(args),
        "throw" => new ThrowJob(args),
        "crash" => new CrashJob(args),
        "bootfail" => new BootFailJob(args),
        "sleep" => new SleepJob(args),
        "large" => new LargeJob(args),
        "unserializable" => new UnserializableJob(),
        "dispatchthrows" => new DispatchThrowsJob(args),
        "nested" => new NestedJob(args),
        "orders" => new OrderJob(args),
        "record" => new RecordJob(args),
        "assemblies" => new AssembliesJob(),
        "keyed" => new KeyedJob(args),
        "output" => new OutputJob(args),
        "latelistener" => new LateListenerJob(args),
        "traced" => new TracedJob(args),
        _ => throw new ArgumentException($"unknown scenario {name}"),
    };

    /// <summary>The argument at <paramref name="index"/> as a number, or the fallback when absent or not a number.</summary>
    public static int Int(string[] args, int index, int fallback) =>
        args.Length > index && int.TryParse(args[index], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) ? value : fallback;
}
