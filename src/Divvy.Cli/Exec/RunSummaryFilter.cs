using Microsoft.Extensions.Logging;

namespace Divvy.Cli.Exec;

/// <summary>
/// Passes the master's log through, all but its end-of-run summary line: with <c>-v</c>,
/// <c>divvy exec</c> prints the whole end-of-run report itself after the results (the same
/// counts), and names a repeat run that reached its <c>--duration</c> as such rather than "cancelled".
/// </summary>
internal sealed class RunSummaryFilter : ILoggerProvider
{
    /// <summary>The event name of the master's summary line (its <c>LoggerMessage</c> method).</summary>
    private const string RunFinished = "RunFinished";

    private readonly ILoggerProvider _inner;

    public RunSummaryFilter(ILoggerProvider inner)
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
            if (eventId.Name != RunFinished)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
