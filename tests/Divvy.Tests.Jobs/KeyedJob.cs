using MessagePack;

namespace Divvy.Tests.Jobs;

[MessagePackObject]
public sealed record Sample([property: Key(0)] int Number, [property: Key(1)] string Name, [property: Key(2)] byte[] Data);

[MessagePackObject]
public sealed record Emitted([property: Key(0)] int Number, [property: Key(1)] int DataLength, [property: Key(2)] string DynamicAssemblies);

/// <summary>
/// [MessagePackObject] records both ways; each result names the dynamic assemblies loaded in the
/// worker that performed it (code emitted at run time), and the master reports its own at the end.
/// Args: count.
/// </summary>
public sealed class KeyedJob(string[] args) : IParallelizable<Sample, Emitted>
{
    private readonly int _count = Scenarios.Int(args, 0, 3);

    public IEnumerable<Sample> Dispatch()
    {
        for (int i = 1; i <= _count; i++)
        {
            yield return new Sample(i, $"sample-{i}", new byte[i * 1000]);
        }
    }

    public Emitted Perform(Sample item) => new(item.Number, item.Data.Length, DynamicAssemblies());

    public void OnResult(ItemResult<Sample, Emitted> result) =>
        Report.Line($"emitted item={result.Item.Number} length={result.Result!.DataLength} worker=[{result.Result.DynamicAssemblies}]");

    public void OnCompleted(RunSummary summary) => Report.Line($"master emitted=[{DynamicAssemblies()}]");

    private static string DynamicAssemblies()
    {
        var names = new List<string>();
        foreach (System.Reflection.Assembly assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (assembly.IsDynamic)
            {
                names.Add(assembly.GetName().Name ?? "?");
            }
        }

        return string.Join(";", names);
    }
}
