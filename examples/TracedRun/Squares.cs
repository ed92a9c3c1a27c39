using System.Diagnostics;
using Divvy;

namespace TracedRun;

/// <summary>Squares 1 to <paramref name="count"/> in the workers; each Perform runs inside its span, which <see cref="Activity.Current"/> shows.</summary>
public sealed class Squares(int count) : IParallelizable<int, int>
{
    // Runs in the master, under the run's span.
    public IEnumerable<int> Dispatch() => Enumerable.Range(1, count);

    // Runs in a worker, under the item's divvy.perform span: anything traced here (HttpClient...) joins the run's trace.
    public int Perform(int item)
    {
        Activity.Current?.SetTag("square.input", item);
        return item * item;
    }
}
