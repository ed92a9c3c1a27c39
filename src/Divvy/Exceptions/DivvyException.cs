namespace Divvy;

/// <summary>The base of every error Divvy raises itself. Catch this to handle any Divvy failure.</summary>
public abstract class DivvyException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    protected DivvyException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    protected DivvyException(string message, Exception? innerException) : base(message, innerException) { }
}
