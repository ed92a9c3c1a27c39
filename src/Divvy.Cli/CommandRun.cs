using McMaster.Extensions.CommandLineUtils;
using Microsoft.Extensions.Logging;

namespace Divvy.Cli;

/// <summary>
/// What <c>divvy</c> and <c>divvy exec</c> do alike around a run: speak on stderr under the
/// command's name, log there, and turn what the master threw into an exit code and one line.
/// </summary>
internal sealed class CommandRun
{
    private readonly string _name;
    private readonly TextWriter _error;

    /// <param name="name">The command as the user typed it (<c>divvy</c>, <c>divvy exec</c>): every line starts with it.</param>
    /// <param name="error">Standard error: stdout belongs to the job.</param>
    public CommandRun(string name, TextWriter error)
    {
        _name = name;
        _error = error;
    }

    /// <summary>
    /// Parses <paramref name="args"/> with <paramref name="app"/> and runs it. What the parser prints
    /// (the help page) goes to <paramref name="output"/> only once parsing succeeded; a parse error
    /// becomes one usage line on stderr and exit code 2.
    /// </summary>
    public int Execute(CommandLineApplication app, string[] args, TextWriter output)
    {
        var parserOutput = new StringWriter();
        app.Out = parserOutput;
        try
        {
            int exitCode = app.Execute(args);
            output.Write(parserOutput.ToString());
            return exitCode;
        }
        catch (CommandParsingException ex)
        {
            return Usage(char.ToLowerInvariant(ex.Message[0]) + ex.Message[1..]);
        }
    }

    /// <summary>The master's log, on stderr through <paramref name="provider"/>, from <paramref name="minimumLevel"/> up.</summary>
    public static ILoggerFactory Logging(ILoggerProvider provider, LogLevel minimumLevel) =>
        LoggerFactory.Create(builder => builder.AddProvider(provider).SetMinimumLevel(minimumLevel));

    /// <summary>
    /// Runs the master and hands its summary to <paramref name="report"/>, which prints it and picks
    /// the exit code. When the run throws, says so in one line instead of a dump: in the exception's
    /// own words with the code <paramref name="knownFailure"/> gives it, else as
    /// <c>failedWhere: Type: message</c> with <see cref="ExitCodes.JobFailed"/>.
    /// </summary>
    public async Task<int> RunAsync(Func<Task<RunSummary>> run, Func<RunSummary, int> report, string failedWhere, Func<Exception, int?>? knownFailure = null)
    {
        RunSummary summary;
        try
        {
            summary = await run().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Dispatch, a master-side hook, reading input or launching failed: the user needs one line, not a crash dump.
            return knownFailure?.Invoke(ex) is { } exitCode
                ? Fail(exitCode, ex.Message)
                : Fail(ExitCodes.JobFailed, $"{failedWhere}: {ex.GetType().Name}: {ex.Message}");
        }

        return report(summary);
    }

    /// <summary>Gives a subcommand's parser its help option and what it runs.</summary>
    public static void Prepare(CommandLineApplication app, Func<Task<int>> execute)
    {
        app.HelpOption("-h|--help").Description = "Show this help on stdout.";
        app.OnExecute(() => execute().GetAwaiter().GetResult());
    }

    /// <summary>Parses and runs a subcommand; a bad command line is one line and <see cref="ExitCodes.Usage"/>.</summary>
    public int Execute(CommandLineApplication app, string[] args)
    {
        try
        {
            return app.Execute(args);
        }
        catch (CommandParsingException ex)
        {
            return Usage(char.ToLowerInvariant(ex.Message[0]) + ex.Message[1..]);
        }
    }

    /// <summary>Writes <c>name: text</c> on stderr.</summary>
    public void Say(string text) => _error.WriteLine($"{_name}: {text}");

    /// <summary>A bad command line: the problem, then where to find help; exit code <see cref="ExitCodes.Usage"/>.</summary>
    public int Usage(string message)
    {
        Say(message);
        _error.WriteLine($"Try '{_name} --help' for more information.");
        return ExitCodes.Usage;
    }

    /// <summary>Says <paramref name="message"/> and returns <paramref name="exitCode"/>.</summary>
    public int Fail(int exitCode, string message)
    {
        Say(message);
        return exitCode;
    }
}
