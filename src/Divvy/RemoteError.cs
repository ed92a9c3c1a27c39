namespace Divvy;

/// <summary>An exception that happened in another process, carried back as text.</summary>
public sealed class RemoteError
{
    /// <summary>Creates a remote error description.</summary>
    public RemoteError(string type, string message, string stackTrace)
    {
        Type = type ?? "";
        Message = message ?? "";
        StackTrace = stackTrace ?? "";
    }

    /// <summary>The full name of the exception type, for example <c>System.InvalidOperationException</c>.</summary>
    public string Type { get; }

    /// <summary>The exception message.</summary>
    public string Message { get; }

    /// <summary>The stack trace as the other process printed it; may be empty.</summary>
    public string StackTrace { get; }

    /// <summary>Describes an exception in the form that is sent over the wire.</summary>
    public static RemoteError From(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            exception = aggregate.InnerExceptions[0];
        }
        else if (exception is System.Reflection.TargetInvocationException { InnerException: { } inner })
        {
            exception = inner;
        }

        return new RemoteError(exception.GetType().FullName ?? exception.GetType().Name, exception.Message, exception.StackTrace ?? "");
    }

    /// <summary><c>Type: Message</c>, one line.</summary>
    public override string ToString() => $"{Type}: {Message}";
}
