using Microsoft.Extensions.Logging;

namespace Divvy.Cli.Exec;

/// <summary>
/// Passes the master's log through, all but two kinds of line that <c>divvy exec</c> says in its
/// own words: the end-of-run summary (with <c>-v</c>, exec prints the whole report itself after the
/// results, naming a repeat run that reached its <c>--duration</c> as such rather than "cancelled"),
/// and "item N failed" (exec's line names the command and its exit code, and follows its mode's
/// rules: every failure in line mode, the first in load mode, none in task-list mode without <c>-v</c>).
/// </summary>
internal sealed class ExecLogFilter : ILoggerProvider
{
    /// <summary>The event names (the <c>LoggerMessage</c> methods) of the lines exec says itself.</summary>
    private static readonly string[] s_saidByExec = ["RunFinished", "ItemFailed"];

    private readonly ILoggerProvider _inner;

    public ExecLogFilter(ILoggerProvider inner)
    {
        _inner = inner;
    }

    public ILogger CreateLogger(string categoryName) => new Filtered(_inner.CreateLogger(categoryName));

    public void Dispose() => _inner.Dispose();

    private sealed class Filtered(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (Array.IndexOf(s_saidByExec, eventId.Name) < 0)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
