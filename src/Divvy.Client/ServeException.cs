namespace Divvy.Client;

/// <summary>The server refused a request or the connection (<see cref="Code"/>: <c>busy</c>, <c>bad_request</c>, <c>shutting_down</c>, <c>forbidden</c>...), or the connection broke.</summary>
public sealed class ServeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ServeException(string code, string message, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
    }

    /// <summary>The protocol's code for what went wrong; <c>connection</c> when the connection broke.</summary>
    public string Code { get; }
}
