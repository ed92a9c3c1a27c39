using Divvy.Cli;

namespace Divvy.Tests.Cli;

/// <summary>The <c>divvy</c> command's own words, run in-process: nothing here gets as far as loading a job.</summary>
public sealed class DivvyCommandTests
{
    private const string Hint = "Try 'divvy --help' for more information.";

    private static (int ExitCode, string[] Stdout, string[] Stderr) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = new DivvyCommand(output, error).Run(args);
        return (exitCode, Lines(output), Lines(error));
    }

    private static string[] Lines(StringWriter writer) => writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

    public static TheoryData<string[], string> BadValues => new()
    {
        { ["-n", "1025"], "-n/--workers must be between 0 and 1024, got 1025" },
        { ["--workers", "many"], "-n/--workers must be a whole number, got 'many'" },
        { ["--max-frame-size", "12"], "--max-frame-size must be between 1K and 1G, got 12" },
        { ["--max-frame-size", "2G"], "--max-frame-size must be between 1K and 1G, got 2G" },
        { ["--max-frame-size", "lots"], "--max-frame-size must be a size in bytes or with K, M or G, such as 64M, got 'lots'" },
        { ["--max-prefetch", "0"], "--max-prefetch must be between 1 and 65536, got 0" },
        { ["--shutdown-timeout", "2h"], "--shutdown-timeout must be between 0s and 1h, got 2h" },
        { ["--max-boot-failures", "0"], "--max-boot-failures must be between 1 and 1000, got 0" },
        { ["--max-spawn-rate", "20000"], "--max-spawn-rate must be between 1 and 10000, got 20000" },
        { ["--max-items-per-worker", "0"], "--max-items-per-worker must be at least 1, got 0" },
        { ["--max-worker-memory", "10"], "--max-worker-memory must be at least 1M, got 10" },
        { ["--max-worker-age", "1ms"], "--max-worker-age must be between 10ms and 8760h, got 1ms" },
        { ["--retries", "-1"], "--retries must be between 0 and 1000, got -1" },
        { ["--retry-delay", "2h"], "--retry-delay must be between 0s and 1h, got 2h" },
        { ["--retry-max-delay", "48h"], "--retry-max-delay must be between 0s and 24h, got 48h" },
        { ["--poison-after", "0"], "--poison-after must be between 1 and 100, got 0" },
        { ["--max-connection-losses", "1001"], "--max-connection-losses must be between 1 and 1000, got 1001" },
        { ["--timeout", "0"], "--timeout must be between 1ms and 24h, got 0s" },
        { ["--timeout", "soon"], "--timeout must be a duration such as 500ms, 30s, 5m or 2h, got 'soon'" },
        { ["--timeout-grace", "90m"], "--timeout-grace must be between 0s and 1h, got 90m" },
        { ["--heartbeat", "5ms"], "--heartbeat must be between 10ms and 1h, got 5ms" },
        { ["--timeout", "0.0001"], "--timeout must be between 1ms and 24h, got 0.1ms" },
        { ["--heartbeat-timeout", "48h"], "--heartbeat-timeout must be between 10ms and 24h, got 48h" },
        { ["--halt", "sometimes"], "--halt: 'sometimes' is not a halt policy: use never, soon,fail=N, now,fail=N, soon,fail=X% or now,fail=X%" },
        { ["--metrics-port", "70000"], "--metrics-port must be between 1 and 65535, got 70000" },
        { ["--metrics-port", "9465", "--metrics-linger", "2h"], "--metrics-linger must be between 0s and 1h, got 2h" },
        { ["--metrics-port", "9465", "--control-token", "abc"], "--control-token must be at least 8 characters long, got 3" },
        { ["--metrics-port", "9465", "--metrics-host", " "], "--metrics-host must be a host name or address, got ' '" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void A_bad_value_is_one_stderr_line_naming_the_flag_in_command_line_units(string[] args, string message)
    {
        (int exitCode, string[] stdout, string[] stderr) = Run([.. args, "job.dll"]);

        exitCode.Should().Be(2);
        stdout.Should().BeEmpty("stdout belongs to the job");
        stderr.Should().Equal($"divvy: {message}", Hint);
    }

    public static TheoryData<string[], string> Conflicts => new()
    {
        { ["--heartbeat", "1s", "--heartbeat-timeout", "500ms"], "--heartbeat-timeout must be longer than --heartbeat (1s), got 500ms" },
        { ["--heartbeat", "1m"], "--heartbeat-timeout must be longer than --heartbeat (1m), got 30s" },
        { ["--retry-delay", "10s", "--retry-max-delay", "1s"], "--retry-max-delay must be at least --retry-delay (10s), got 1s" },
        { ["--metrics-host", "0.0.0.0"], "--metrics-host needs --dashboard (or --metrics-port): without a port there is no endpoint" },
        { ["--control-token", "0123456789"], "--control-token needs --dashboard (or --metrics-port): without a port there is no endpoint" },
        { ["--metrics-linger", "5s"], "--metrics-linger needs --dashboard (or --metrics-port): without a port there is no endpoint" },
    };

    [Theory]
    [MemberData(nameof(Conflicts))]
    public void Options_at_odds_with_each_other_get_one_line_naming_both_flags(string[] args, string message)
    {
        (int exitCode, string[] stdout, string[] stderr) = Run([.. args, "job.dll"]);

        exitCode.Should().Be(2);
        stdout.Should().BeEmpty();
        stderr.Should().Equal($"divvy: {message}", Hint);
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("-x")]
    [InlineData("--workers-count=3")]
    [InlineData("--Workers")]
    public void An_unknown_option_is_reported_on_stderr_and_stdout_stays_the_jobs(string option)
    {
        (int exitCode, string[] stdout, string[] stderr) = Run("-n", "2", option, "job.dll");

        exitCode.Should().Be(2);
        stdout.Should().BeEmpty();
        stderr.Should().Equal($"divvy: unknown option '{option}'", Hint);
    }

    [Theory]
    [InlineData(new[] { "--launcher", "remote", "job.dll" }, "--launcher must be local, external or slurm, got 'remote'")]
    [InlineData(new[] { "--partition", "short", "job.dll" }, "--partition needs --launcher slurm")]
    [InlineData(new[] { "--launcher", "external", "--listen", "0", "--time", "1h", "job.dll" }, "--time needs --launcher slurm")]
    [InlineData(new[] { "--launcher", "slurm", "--slurm-mode", "mpi", "job.dll" }, "--slurm-mode must be auto, steps or array, got 'mpi'")]
    [InlineData(new[] { "--launcher", "slurm", "--time", "10s", "job.dll" }, "--time must be between 1m and 8760h, got 10s")]
    [InlineData(new[] { "--launcher", "external", "job.dll" }, "--launcher external needs --listen: the address workers dial")]
    [InlineData(new[] { "--listen", "7601", "job.dll" }, "--listen is only for --launcher external: local workers talk to the master over pipes")]
    [InlineData(new[] { "--listen", "example.com:7601", "--launcher", "external", "job.dll" }, "--listen: 'example.com:7601': listen on an IP address (127.0.0.1, 0.0.0.0, [::1]) or localhost, not the name 'example.com'")]
    [InlineData(new[] { "--token-file", "run.token", "job.dll" }, "--token-file needs --launcher external or slurm: local workers need neither a token nor a connection")]
    [InlineData(new[] { "--connect-timeout", "50ms", "--launcher", "external", "--listen", "0", "job.dll" }, "--connect-timeout must be between 100ms and 24h, got 50ms")]
    [InlineData(new[] { "--workers" }, "missing value for option 'workers'")]
    [InlineData(new[] { "--verbose=3", "job.dll" }, "unexpected value '3' for option 'verbose'")]
    public void A_malformed_option_is_reported_on_stderr_and_stdout_stays_the_jobs(string[] args, string message)
    {
        (int exitCode, string[] stdout, string[] stderr) = Run(args);

        exitCode.Should().Be(2);
        stdout.Should().BeEmpty();
        stderr.Should().Equal($"divvy: {message}", Hint);
    }

    [Fact]
    public void A_value_that_looks_like_an_option_is_still_a_value()
    {
        (int exitCode, _, string[] stderr) = Run("--control-token", "-secret-token-", "--metrics-port", "0", "job.dll");

        exitCode.Should().Be(2);
        stderr[0].Should().Be("divvy: --metrics-port must be between 1 and 65535, got 0", "the token is not taken for an unknown option");
    }

    [Fact]
    public void The_version_is_one_line_on_stdout()
    {
        (int exitCode, string[] stdout, string[] stderr) = Run("--version");

        exitCode.Should().Be(0);
        stdout.Should().ContainSingle().Which.Should().MatchRegex(@"^divvy \d+\.\d+\.\d+");
        stderr.Should().BeEmpty();
    }

    [Fact]
    public void Help_shows_the_usage_as_typed_and_the_options_in_groups_with_defaults_and_ranges()
    {
        (int exitCode, string[] stdout, _) = Run("--help");

        exitCode.Should().Be(0);
        stdout.Should().Contain("Usage: divvy [options] job.dll [job arguments...]");
        stdout.Where(l => l.EndsWith(':') && !l.StartsWith(' ')).Should().Equal("Options:", "Workers:", "Failures and resuming: retries, timeouts, halting, the journal:", "Dashboard, metrics and control endpoint:", "Remote workers (TCP):");
        stdout.Should().Contain(l => l.StartsWith("  --shutdown-timeout <DURATION>") && l.Contains("(default 10s; between 0s and 1h)"));
        stdout.Should().Contain(l => l.StartsWith("  --max-prefetch <N>") && l.Contains("(default 256; between 1 and 65536)"));
        stdout.Should().Contain(l => l.StartsWith("  --max-boot-failures <N>") && l.Contains("(default 3; between 1 and 1000)"));
        stdout.Should().Contain(l => l.StartsWith("  --max-spawn-rate <N>") && l.Contains("(default 20; between 1 and 10000)"));
        int usage = Array.IndexOf(stdout, "Usage: divvy [options] job.dll [job arguments...]");
        usage.Should().BeLessThan(Array.FindIndex(stdout, l => l.StartsWith("  -n|--workers")));
    }

    [Fact]
    public void The_README_lists_every_flag_with_the_default_and_range_help_prints()
    {
        string readme = File.ReadAllText(Path.Combine(Divvy.Tests.Support.Artifacts.RepositoryRoot, "README.md"));
        int start = readme.IndexOf("divvy [options] job.dll [job arguments...]\n", StringComparison.Ordinal);
        string listing = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
        (_, string[] help, _) = Run("--help");

        foreach (string line in help.Where(l => l.StartsWith("  -", StringComparison.Ordinal)))
        {
            string flag = line.Trim().Split(' ')[0].Split('|')[^1];
            listing.Should().Contain(flag, "the README's option list shows every flag");
            if (System.Text.RegularExpressions.Regex.Match(line, @"\(default ([^;)]+)") is { Success: true } defaultValue)
            {
                string readmeLine = listing.Split('\n').Single(l => l.TrimStart().Split(' ', ',')[0].Split('|')[^1] == flag);
                readmeLine.Should().Contain($"default {defaultValue.Groups[1].Value}", $"the README and --help agree on the default of {flag}");
            }
        }
    }

    [Fact]
    public void Every_option_MasterOptions_has_a_flag()
    {
        // Slurm is a group of options: each of its own has a flag (checked below).
        string[] notOnTheCommandLine = [nameof(MasterOptions.HandleSignals), nameof(MasterOptions.LoggerFactory), nameof(MasterOptions.TimeProvider), nameof(MasterOptions.Slurm), nameof(MasterOptions.Endpoint)];
        var words = new RunOptions(new McMaster.Extensions.CommandLineUtils.CommandLineApplication()).Words;

        typeof(MasterOptions).GetProperties()
            .Select(p => p.Name)
            .Except(notOnTheCommandLine)
            .Should().OnlyContain(p => words.Name(p).StartsWith("-"), "each option the API has, the divvy command has too");
        typeof(SlurmOptions).GetProperties()
            .Select(p => $"{nameof(MasterOptions.Slurm)}.{p.Name}")
            .Should().OnlyContain(p => words.Name(p).StartsWith("-"), "each Slurm option the API has, the divvy command has too");
    }
}
