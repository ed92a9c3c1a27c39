using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Divvy.Transport.Tcp;

namespace Divvy.Launching;

/// <summary>
/// Where a worker finds its master: the parsed contents of the marker variable. Each way of
/// reaching a master is one case; the worker opens its streams in one place that switches on it.
/// </summary>
internal abstract record WorkerEndpoint
{
    private const string PipesPrefix = "v1;";

    // Closed: only the cases below exist, so every switch over an endpoint is complete.
    private WorkerEndpoint()
    {
    }

    /// <summary>
    /// A local child of the master on two inherited anonymous pipes. The master's pid is also what
    /// the worker checks its parent against and watches as a backstop for the pipes.
    /// </summary>
    public sealed record Pipes(int MasterProcessId, int WorkerNumber, string DownHandle, string UpHandle) : WorkerEndpoint
    {
        /// <summary>The marker text a master puts in the worker's environment.</summary>
        public string Format() =>
            string.Create(CultureInfo.InvariantCulture, $"{PipesPrefix}master={MasterProcessId};worker={WorkerNumber};down={DownHandle};up={UpHandle}");
    }

    /// <summary>
    /// A worker started by anyone that dials its master over TCP and proves it knows the run's token
    /// (<c>DIVVY_CONNECT</c>, or <c>divvy worker --connect</c>).
    /// </summary>
    public sealed record Tcp(string Host, int Port, TcpTokenSource Token) : WorkerEndpoint
    {
        /// <summary>
        /// The endpoint <c>DIVVY_CONNECT=host:port</c> names, its token from <c>DIVVY_TOKEN_FILE</c>
        /// (a path) or <c>DIVVY_TOKEN</c> (the value).
        /// </summary>
        public static bool TryParse(string connect, string? tokenFile, string? token, [NotNullWhen(true)] out WorkerEndpoint? endpoint, [NotNullWhen(false)] out string? error)
        {
            endpoint = null;
            if (!TcpAddress.TryParse(connect, allowAnyPort: false, out string? host, out int port, out string? addressError))
            {
                error = $"{WorkerEnvironment.ConnectVariable}: {addressError}";
                return false;
            }

            TcpTokenSource? source = tokenFile is { Length: > 0 } ? TcpTokenSource.FromFile(tokenFile) : token is { Length: > 0 } ? TcpTokenSource.FromValue(token) : null;
            if (source is null)
            {
                error = $"{WorkerEnvironment.ConnectVariable} is set but neither {TcpToken.FileVariable} nor {TcpToken.ValueVariable} is: a TCP worker needs the run's token";
                return false;
            }

            endpoint = new Tcp(host, port, source);
            error = null;
            return true;
        }
    }

    public static bool TryParse(string text, [NotNullWhen(true)] out WorkerEndpoint? endpoint, [NotNullWhen(false)] out string? error)
    {
        endpoint = null;
        if (!text.StartsWith(PipesPrefix, StringComparison.Ordinal))
        {
            error = $"unknown marker format '{text}'";
            return false;
        }

        Dictionary<string, string> fields = Fields(text[PipesPrefix.Length..]);
        if (!TryInt(fields, "master", out int master) || !TryInt(fields, "worker", out int worker)
            || !fields.TryGetValue("down", out string? down) || !fields.TryGetValue("up", out string? up))
        {
            error = $"marker '{text}' lacks master, worker, down or up";
            return false;
        }

        endpoint = new Pipes(master, worker, down, up);
        error = null;
        return true;
    }

    private static Dictionary<string, string> Fields(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string part in text.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                fields[part[..eq]] = part[(eq + 1)..];
            }
        }

        return fields;
    }

    private static bool TryInt(Dictionary<string, string> fields, string key, out int value)
    {
        value = 0;
        return fields.TryGetValue(key, out string? text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
