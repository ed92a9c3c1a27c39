using Divvy;
using Microsoft.Extensions.Configuration;

namespace HostedDivvy;

/// <summary>Greets numbers. The container builds it, with its <see cref="Greeter"/>, in the master and in each worker.</summary>
public sealed class GreetingJob(Greeter greeter, IConfiguration configuration) : IParallelizable<int, string>
{
    // Runs in the master.
    public IEnumerable<int> Dispatch() => Enumerable.Range(1, configuration.GetValue("Count", 10));

    // Runs in a worker.
    public string Perform(int item)
    {
        string greeting = greeter.Greet(item);
        Console.WriteLine($"{greeting} on pid {Environment.ProcessId}");
        return greeting;
    }

    // Runs in the master, once the run is over.
    public void OnCompleted(RunSummary summary) => Console.Error.WriteLine($"HostedDivvy {summary}");
}
