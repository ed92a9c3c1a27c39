namespace Divvy.Transport.Tcp;

/// <summary>
/// Where a worker finds its token: a file (read when it connects), or the value itself, taken from
/// <c>DIVVY_TOKEN</c>. Prints without the value.
/// </summary>
internal sealed class TcpTokenSource
{
    private readonly string? _value;

    private TcpTokenSource(string? file, string? value)
    {
        File = file;
        _value = value;
    }

    /// <summary>The token file, when the token is read from one.</summary>
    public string? File { get; }

    public static TcpTokenSource FromFile(string path) => new(path, null);

    public static TcpTokenSource FromValue(string value) => new(null, value);

    /// <summary>
    /// The token given on the command line as a file, else <c>DIVVY_TOKEN_FILE</c>, else <c>DIVVY_TOKEN</c>;
    /// <c>null</c> when none is given.
    /// </summary>
    public static TcpTokenSource? FromEnvironment(string? file)
    {
        if (file is not null)
        {
            return FromFile(file);
        }

        if (Environment.GetEnvironmentVariable(TcpToken.FileVariable) is { Length: > 0 } fromEnvironment)
        {
            return FromFile(fromEnvironment);
        }

        return Environment.GetEnvironmentVariable(TcpToken.ValueVariable) is { Length: > 0 } value ? FromValue(value) : null;
    }

    /// <summary>Reads the token.</summary>
    /// <exception cref="InvalidDataException">The file may be read by others, or the token is too short.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be read.</exception>
    public TcpToken Load() => File is { } file ? TcpToken.ReadFile(file) : TcpToken.FromText(_value!, TcpToken.ValueVariable);

    public override string ToString() => File is { } file ? $"token file {file}" : TcpToken.ValueVariable;
}
