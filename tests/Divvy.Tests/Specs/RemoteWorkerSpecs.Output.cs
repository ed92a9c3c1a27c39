using Divvy.Worker;
using Divvy.Tests.Support;
using static Divvy.Tests.Support.ProcessRun;

namespace Divvy.Tests.Specs;

/// <summary>What a TCP worker writes to its stdout and stderr comes out of the master's, as a local worker's does.</summary>
public sealed partial class RemoteWorkerSpecs
{
    [Fact]
    public async Task What_perform_writes_to_Console_on_a_tcp_worker_comes_out_of_the_masters_stdout_and_stderr_before_the_items_result()
    {
        (ProcessRun master, string address) = await StartMasterAsync(["-n", "2"], "OutputJob", "20");
        ProcessRun first = Worker(address, "OutputJob");
        ProcessRun second = Worker(address, "OutputJob");

        (await master.WaitAsync()).Should().Be(0, master.AllStderr);
        (await first.WaitAsync()).Should().Be(0, first.AllStderr);
        // Under load the first worker may finish all 20 items while the second is still connecting:
        // it is then told it is not needed, the one outcome besides performing its share.
        (await second.WaitAsync()).Should().BeOneOf([0, WorkerExitCodes.SlotsFull], second.AllStderr);
        Items(master.Stdout, "out item=").Should().BeEquivalentTo(Enumerable.Range(1, 20), "each Console.Out line reaches the master's stdout once");
        Items(master.Stderr, "err item=").Should().BeEquivalentTo(Enumerable.Range(1, 20), "each Console.Error line reaches the master's stderr once");
        foreach (ProcessRun worker in new[] { first, second })
        {
            worker.Stdout.Should().NotContain(l => l.StartsWith("out ", StringComparison.Ordinal), "the worker's stdout went to the master");
            worker.Stderr.Should().NotContain(l => l.StartsWith("err ", StringComparison.Ordinal), "the worker's stderr went to the master");
        }

        OutputComesBeforeResult(master, "out item=");
    }

    [Fact]
    public async Task What_a_child_process_of_a_tcp_worker_writes_comes_out_of_the_masters_stdout_too()
    {
        (ProcessRun master, string address) = await StartMasterAsync(["-n", "1"], "OutputJob", "5", "echo");
        ProcessRun worker = Worker(address, "OutputJob");

        (await master.WaitAsync()).Should().Be(0, master.AllStderr);
        (await worker.WaitAsync()).Should().Be(0, worker.AllStderr);
        Items(master.Stdout, "child item=").Should().Equal(Enumerable.Range(1, 5), "/bin/echo writes to the worker's descriptor 1, which leads to the master");
        worker.Stdout.Should().BeEmpty();
        OutputComesBeforeResult(master, "child item=");
    }

    [Fact]
    public async Task A_tcp_worker_that_dies_at_boot_is_explained_on_the_master_by_what_it_wrote_to_its_stderr()
    {
        (ProcessRun master, string address) = await StartMasterAsync(["-n", "1", "--max-boot-failures", "1"], "BootFailJob", "3");
        ProcessRun worker = Worker(address, "BootFailJob");

        (await master.WaitAsync()).Should().NotBe(0, master.AllStderr);
        (await worker.WaitAsync()).Should().Be(70, worker.AllStderr);
        master.Stderr.Should().Contain("boot-fail job: worker 1 cannot find its database", "the worker's stderr is passed through");
        master.Stderr.Should().Contain("    | boot-fail job: worker 1 cannot find its database", "the boot failure quotes the tail of the worker's stderr");
        worker.Stderr.Should().Equal($"divvy worker: connected to {address}");
    }

    [Fact]
    public async Task A_tcp_worker_killed_by_an_unhandled_exception_gets_its_last_words_to_the_master_and_to_its_own_stderr()
    {
        (ProcessRun master, string address) = await StartMasterAsync(["-n", "1"], "OutputJob", "3", "crash");
        ProcessRun worker = Worker(address, "OutputJob");

        (await worker.WaitAsync()).Should().NotBe(0, worker.AllStderr);
        await master.WaitForStderrLineAsync("Unhandled exception. System.InvalidOperationException: the output job crashed its worker");
        master.Stderr.Should().Contain("last words item=1", "what it wrote before it died was sent first");
        worker.Stderr.Should().Contain(l => l.Contains("System.InvalidOperationException: the output job crashed its worker", StringComparison.Ordinal), "the runtime's own report went to the worker's real stderr (a cluster's log file)");
        worker.Stderr.Should().NotContain("last words item=1");
    }

    /// <summary>The item numbers of the lines that start with <paramref name="prefix"/>.</summary>
    private static List<int> Items(IEnumerable<string> lines, string prefix) =>
        lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => int.Parse(l[prefix.Length..].Split(' ')[0])).ToList();

    /// <summary>For every item, its line starting with <paramref name="prefix"/> is on the master's stdout before its result line.</summary>
    private static void OutputComesBeforeResult(ProcessRun master, string prefix)
    {
        IReadOnlyList<string> stdout = master.Stdout;
        foreach (int item in Items(stdout, "result item="))
        {
            int output = IndexOf(stdout, $"{prefix}{item} ");
            int result = IndexOf(stdout, $"result item={item} ");
            output.Should().BeInRange(0, result - 1, $"item {item}'s output was written while computing it, so it comes before its result");
        }
    }

    private static int IndexOf(IReadOnlyList<string> lines, string start)
    {
        for (int i = 0; i < lines.Count; i++)
        {
            if ((lines[i] + " ").StartsWith(start, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
