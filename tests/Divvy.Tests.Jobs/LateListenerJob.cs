using System.Runtime.CompilerServices;

namespace Divvy.Tests.Jobs;

/// <summary>
/// Items 1 to N (default 3); at the first result the master starts a MeterListener on Divvy's
/// meter, which counts the succeeded items it hears of from then on, and reports at the end whether
/// System.Diagnostics.DiagnosticSource was loaded before that listener.
/// </summary>
public sealed class LateListenerJob(string[] args) : IParallelizable<int, int>
{
    private readonly int _items = Scenarios.Int(args, 0, 3);
    private bool _loadedBefore;
    private IDisposable? _listener;

    public IEnumerable<int> Dispatch()
    {
        for (int i = 1; i <= _items; i++)
        {
            yield return i;
        }
    }

    public int Perform(int item) => item;

    public void OnResult(ItemResult<int, int> result)
    {
        if (_listener is null)
        {
            _loadedBefore = IsDiagnosticSourceLoaded();
            _listener = StartListener();
        }
    }

    public void OnCompleted(RunSummary summary)
    {
        Report.Line($"late listener loadedBefore={_loadedBefore} {_listener}");
        _listener?.Dispose();
    }

    private static bool IsDiagnosticSourceLoaded()
    {
        foreach (System.Reflection.Assembly assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (assembly.GetName().Name == "System.Diagnostics.DiagnosticSource")
            {
                return true;
            }
        }

        return false;
    }

    // A method of its own, so that the job itself does not load System.Diagnostics.DiagnosticSource.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IDisposable StartListener() => new SucceededListener();
}
