using Microsoft.Extensions.Logging;

namespace Divvy.Cli.Logging;

/// <summary>Writes log events as <c>divvy: message</c> lines on standard error, leaving stdout to the job.</summary>
internal sealed class StderrLoggerProvider : ILoggerProvider
{
    private readonly TextWriter _output;

    public StderrLoggerProvider(TextWriter output)
    {
        _output = output;
    }

    public ILogger CreateLogger(string categoryName) => new StderrLogger(_output);

    public void Dispose()
    {
    }

    private sealed class StderrLogger(TextWriter output) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string message = formatter(state, exception);
            if (exception is not null)
            {
                message += $": {exception.GetType().Name}: {exception.Message}";
            }

            output.WriteLine($"divvy: {message}");
        }
    }
}
