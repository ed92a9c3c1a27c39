using System.Diagnostics;

namespace Divvy.Tests.Jobs;

/// <summary>
/// Items 1..count; Perform writes one line to Console.Out and one to Console.Error. Mode "echo":
/// each item also runs /bin/echo, whose stdout is the worker's. Mode "crash": item 1 writes its last
/// words to stderr and throws on a thread of its own, which kills the worker. Args: count, mode.
/// </summary>
public sealed class OutputJob : IParallelizable<int, int>
{
    private readonly int _count;
    private readonly string _mode;

    public OutputJob(string[] args)
    {
        _count = Scenarios.Int(args, 0, 10);
        _mode = args.Length > 1 ? args[1] : "";
    }

    public IEnumerable<int> Dispatch() => Enumerable.Range(1, _count);

    public int Perform(int item)
    {
        Console.Out.WriteLine($"out item={item} pid={Environment.ProcessId}");
        Console.Error.WriteLine($"err item={item} pid={Environment.ProcessId}");
        if (_mode == "echo")
        {
            using Process child = Process.Start(new ProcessStartInfo("/bin/echo", [$"child item={item}"]) { UseShellExecute = false })!;
            child.WaitForExit();
        }
        else if (_mode == "crash" && item == 1)
        {
            Console.Error.WriteLine("last words item=1");
            new Thread(() => throw new InvalidOperationException("the output job crashed its worker")).Start();
            Thread.Sleep(Timeout.Infinite);
        }

        return item;
    }

    public void OnResult(ItemResult<int, int> result) => Report.Result(result);
}
