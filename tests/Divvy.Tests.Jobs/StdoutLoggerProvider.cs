using Microsoft.Extensions.Logging;

namespace Divvy.Tests.Jobs;

/// <summary>A user's own logger, plugged in through MasterOptions.LoggerFactory: prints events with their scope.</summary>
public sealed class StdoutLoggerProvider : ILoggerProvider, ILoggerFactory
{
    [ThreadStatic]
    private static Stack<object>? t_scopes;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(string category) : ILogger
    {
        public IDisposable BeginScope<TState>(TState state)
            where TState : notnull
        {
            (t_scopes ??= new()).Push(state);
            return new Pop();
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string scope = t_scopes is { Count: > 0 } scopes && scopes.Peek() is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(",", pairs.Select(p => $"{p.Key}={p.Value}"))
                : "-";
            Report.Line($"log level={logLevel} category={category} scope={scope} message={formatter(state, exception)}");
        }
    }

    private sealed class Pop : IDisposable
    {
        public void Dispose() => t_scopes?.Pop();
    }
}
