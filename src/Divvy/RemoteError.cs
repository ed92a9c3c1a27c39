namespace Divvy;

/// <summary>
/// What went wrong with an item or its worker: an exception that happened in a worker, carried
/// back as text, or one of the master's own verdicts (<see cref="Kind"/>).
/// </summary>
public sealed class RemoteError
{
    /// <summary>Describes an exception thrown in another process (<see cref="Kind"/> is <see cref="RemoteErrorKind.Exception"/>).</summary>
    public RemoteError(string type, string message, string stackTrace)
    {
        Kind = RemoteErrorKind.Exception;
        Type = type ?? "";
        Message = message ?? "";
        StackTrace = stackTrace ?? "";
    }

    /// <summary>Describes one of the master's own verdicts; there is no exception, so <see cref="Type"/> and <see cref="StackTrace"/> are empty.</summary>
    /// <param name="kind">What happened; not <see cref="RemoteErrorKind.Exception"/>.</param>
    /// <param name="message">The details, naming the worker and the option that changes the behaviour.</param>
    public RemoteError(RemoteErrorKind kind, string message)
    {
        if (kind == RemoteErrorKind.Exception)
        {
            throw new ArgumentException("an exception is described by its type, message and stack trace", nameof(kind));
        }

        Kind = kind;
        Type = "";
        Message = message ?? "";
        StackTrace = "";
    }

    /// <summary>An exception thrown in a worker, or which of the master's verdicts this is.</summary>
    public RemoteErrorKind Kind { get; }

    /// <summary>
    /// The full name of the exception type, for example <c>System.InvalidOperationException</c>;
    /// empty unless <see cref="Kind"/> is <see cref="RemoteErrorKind.Exception"/>.
    /// </summary>
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

    /// <summary><c>Type: Message</c>, or for the master's verdicts <c>worker crashed: Message</c>; one line.</summary>
    public override string ToString() => Kind == RemoteErrorKind.Exception ? $"{Type}: {Message}" : $"{Words.Of(Kind)}: {Message}";
}
