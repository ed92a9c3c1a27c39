namespace Divvy.Tests.Jobs;

/// <summary>
/// One item; Perform returns the names of the assemblies loaded in the worker, joined by ';', so a
/// spec can check what a worker's start-up pulls in; the master reports its own at the end. No LINQ
/// here: it would load System.Linq itself.
/// </summary>
public sealed class AssembliesJob : IParallelizable<int, string>
{
    public IEnumerable<int> Dispatch()
    {
        yield return 1;
    }

    public string Perform(int item) => Loaded();

    public void OnResult(ItemResult<int, string> result) => Report.Result(result);

    /// <summary>The master's own list, once the run is over.</summary>
    public void OnCompleted(RunSummary summary) => Report.Line($"master loaded={Loaded()}");

    private static string Loaded()
    {
        var names = new List<string>();
        foreach (System.Reflection.Assembly assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            names.Add(assembly.GetName().Name ?? "?");
        }

        return string.Join(";", names);
    }
}
