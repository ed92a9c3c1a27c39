using System.Text.Json;
using Divvy.Tests.Support;
using static Divvy.Tests.Specs.ExecSpecs;

namespace Divvy.Tests.Specs;

/// <summary><c>divvy exec</c>, how runs end: load mode's count and duration, Ctrl-C, task timeouts, the master stopped.</summary>
[Collection(ProcessCollection.Name)]
public sealed class ExecStoppingSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("divvy-exec-stop-").FullName;

    [Fact]
    public async Task Repeat_mode_runs_a_script_a_given_number_of_times_and_summarises()
    {
        await using ProcessRun run = Exec("--repeat", "--count", "25", "-n", "3", "--shell", "--", "exit $(( {#} % 5 == 0 ))");

        (await run.WaitAsync()).Should().Be(1, "five of the runs exit 1");

        string summary = run.Stderr.Single(l => l.StartsWith("divvy: repeat: "));
        summary.Should().StartWith("divvy: repeat: 25 runs, 5 failures, ").And.Contain("runs/s").And.Contain("p50").And.Contain("p99").And.Contain("max");
    }

    [Fact]
    public async Task Repeat_mode_ends_at_its_duration_without_running_what_was_queued_and_counts_what_ran()
    {
        // The dispatch queue pulls hundreds of runs ahead; at 0.3 s a run they would take minutes.
        await using ProcessRun run = Exec("--repeat", "--duration", "2s", "-n", "2", "sleep", "0.3");

        (await run.WaitAsync(TimeSpan.FromSeconds(20))).Should().Be(0, "reaching --duration is how this run is meant to end: " + run.AllStderr);

        string summary = run.Stderr.Single(l => l.StartsWith("divvy: repeat: "));
        int runs = int.Parse(summary.Split(' ')[2]);
        runs.Should().BeInRange(1, (int)(((2 / 0.3) + 1) * 2) + 2, "two workers fit about seven 0.3 s runs each in 2 s, plus the two in flight at the deadline");
        summary.Should().Contain(" 0 failures");
    }

    [Fact]
    public async Task With_verbose_a_run_that_reached_its_duration_says_so_rather_than_cancelled()
    {
        await using ProcessRun run = Exec("-v", "--repeat", "--duration", "1s", "-n", "1", "sleep", "0.2");

        (await run.WaitAsync(TimeSpan.FromSeconds(20))).Should().Be(0, run.AllStderr);

        string summary = run.Stderr.Should().ContainSingle(l => l.StartsWith("divvy: run ended")).Which;
        summary.Should().StartWith("divvy: run ended at --duration (1 s): ").And.Contain(" 0 failed");
        int runs = int.Parse(run.Stderr.Single(l => l.StartsWith("divvy: repeat: ")).Split(' ')[2]);
        summary.Should().Contain($" {runs} succeeded", "the run summary counts the runs that ran, as the repeat line does");
    }

    [Fact]
    public async Task Repeat_mode_stops_on_Ctrl_C_with_its_summary()
    {
        await using ProcessRun run = Exec("-v", "--repeat", "-n", "2", "--shell", "--", "sleep 0.05");
        DateTime deadline = DateTime.UtcNow.AddSeconds(60);
        while (!run.Stderr.Any(l => l.StartsWith("divvy: run 3: exit code 0")))
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "runs should have started: " + run.AllStderr);
            await Task.Delay(50);
        }

        run.Signal(Signals.SIGINT);

        (await run.WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(130);
        run.Stderr.Should().Contain(l => l.StartsWith("divvy: repeat: ") && l.Contains(" 0 failures"));
    }

    [Fact]
    public async Task A_task_list_stopped_by_Ctrl_C_still_has_a_row_for_every_task_marking_the_ones_never_run()
    {
        string tasks = JsonSerializer.Serialize(Enumerable.Range(1, 8).Select(n => new { identifier = $"t{n}", command = "sh", args = new[] { "-c", "echo started; sleep 1" } }));
        await using ProcessRun run = Exec("-v", "-n", "1", tasks);
        DateTime deadline = DateTime.UtcNow.AddSeconds(60);
        while (!run.Stderr.Any(l => l.StartsWith("divvy: t1: exit code 0")))
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the first task should have run: " + run.AllStderr);
            await Task.Delay(20);
        }

        run.Signal(Signals.SIGINT);

        (await run.WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(130, run.AllStderr);
        var results = ByIdentifier(run.Stdout[^1]);
        results.Keys.Should().BeEquivalentTo(Enumerable.Range(1, 8).Select(n => $"t{n}"), "every task gets a result row, also after Ctrl-C");
        var notRun = results.Values.Where(r => r.GetProperty("error").GetString() is { } e && e.StartsWith("not performed")).ToArray();
        notRun.Should().NotBeEmpty("Ctrl-C came while the first task ran, with seven still to go");
        notRun.Should().OnlyContain(r => r.GetProperty("exit_code").GetInt32() == -1);
        results.Values.Count(r => r.GetProperty("exit_code").GetInt32() == 0).Should().Be(8 - notRun.Length, "the task in hand finishes");
    }

    [Fact]
    public async Task A_timeout_kills_the_tasks_whole_process_group_leaving_no_grandchild()
    {
        string pidFile = Path.Combine(_dir, "grandchild.pid");
        string tasks = JsonSerializer.Serialize(new[] { new { identifier = "hangs", command = $"sleep 300 & echo $! > {pidFile}; wait", shell = true, timeout = 0.5 } });

        await using ProcessRun run = Exec("-n", "1", tasks);

        (await run.WaitAsync()).Should().Be(1);
        var result = Results(run.Stdout[^1]).Single();
        result.GetProperty("exit_code").GetInt32().Should().Be(143, "SIGTERM, sent to the whole group, ended the shell");
        result.GetProperty("signal").GetInt32().Should().Be(15);
        result.GetProperty("error").GetString().Should().StartWith("timed out after 0.5 s");
        int grandchild = int.Parse(File.ReadAllText(pidFile).Trim());
        WorkerCensus.IsAlive(grandchild).Should().BeFalse("the sleep in the background was in the task's process group");
    }

    [Fact]
    public async Task A_timeout_sends_SIGTERM_first_so_the_command_runs_its_handler()
    {
        string tasks = JsonSerializer.Serialize(new[] { new { identifier = "tidy", command = "trap 'echo cleaned up; exit 7' TERM; sleep 300 & wait", shell = true, timeout = 0.5 } });

        await using ProcessRun run = Exec("-n", "1", tasks);

        (await run.WaitAsync()).Should().Be(1);
        var result = Results(run.Stdout[^1]).Single();
        result.GetProperty("result_body").GetString().Should().Be("cleaned up\n");
        result.GetProperty("exit_code").GetInt32().Should().Be(7);
        result.GetProperty("error").GetString().Should().Be("timed out after 0.5 s; its process group was sent SIGTERM");
    }

    [Fact]
    public async Task A_command_that_ignores_SIGTERM_is_killed_after_the_grace()
    {
        string pidFile = Path.Combine(_dir, "stubborn.pid");
        string tasks = JsonSerializer.Serialize(new[] { new { identifier = "stubborn", command = $"trap '' TERM; sleep 300 & echo $! > {pidFile}; wait", shell = true, timeout = 0.5 } });

        await using ProcessRun run = Exec("-n", "1", "--timeout-grace", "500ms", tasks);

        (await run.WaitAsync()).Should().Be(1);
        var result = Results(run.Stdout[^1]).Single();
        result.GetProperty("exit_code").GetInt32().Should().Be(137);
        result.GetProperty("signal").GetInt32().Should().Be(9);
        result.GetProperty("error").GetString().Should().Be("timed out after 0.5 s; its process group was killed (SIGKILL) 0.5 s after SIGTERM");
        WorkerCensus.IsAlive(int.Parse(File.ReadAllText(pidFile).Trim())).Should().BeFalse("the sleep, which ignored SIGTERM too, went with its group");
    }

    [Theory]
    [InlineData(Signals.SIGTERM, 143)]
    [InlineData(Signals.SIGKILL, 137)]
    public async Task Stopping_the_master_kills_each_running_tasks_process_group(int signal, int exitCode)
    {
        string pidFile = Path.Combine(_dir, "bg.pid");
        string tasks = JsonSerializer.Serialize(new[] { new { identifier = "long", command = $"sleep 300 & echo $! > {pidFile}; wait", shell = true } });
        await using ProcessRun run = Exec("-n", "1", tasks);
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (!File.Exists(pidFile) || File.ReadAllText(pidFile).Trim().Length == 0)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the task should have started");
            await Task.Delay(50);
        }

        int grandchild = int.Parse(File.ReadAllText(pidFile).Trim());
        run.Signal(signal);

        (await run.WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(exitCode);
        DateTime gone = DateTime.UtcNow.AddSeconds(5);
        while (WorkerCensus.IsAlive(grandchild) && DateTime.UtcNow < gone)
        {
            await Task.Delay(50);
        }

        WorkerCensus.IsAlive(grandchild).Should().BeFalse("the task's background process dies with the run");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
