using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Divvy.Metrics;
using Divvy.Scheduling;
using Microsoft.Extensions.Logging;

namespace Divvy.Control;

/// <summary>
/// The run's HTTP endpoint, on loopback unless told otherwise: <c>GET /metrics</c> (Prometheus
/// text), <c>GET /herd</c> (the worker count) and <c>PATCH /herd</c> with <c>{"num": N}</c> to
/// resize the pool. Anything that changes state needs <c>Authorization: Bearer TOKEN</c>.
/// </summary>
internal sealed class ControlServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Scheduler _scheduler;
    private readonly PrometheusExporter _exporter;
    private readonly string _token;
    private readonly ILogger _log;
    private readonly Task _serving;

    public ControlServer(string host, int port, string? token, Scheduler scheduler, PrometheusExporter exporter, ILogger log)
    {
        _scheduler = scheduler;
        _exporter = exporter;
        _log = log;
        _token = token ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        TokenWasGenerated = token is null;
        string endpoint = string.Create(CultureInfo.InvariantCulture, $"{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}");
        Address = $"http://{endpoint}/";
        try
        {
            _listener.Prefixes.Add(Address);
            _listener.Start();
        }
        catch (Exception ex) when (ex is HttpListenerException or ArgumentException or SocketException)
        {
            // Nothing has started yet: the options are at fault, not the job.
            _listener.Close();
            throw new RunSetupException($"cannot listen on {endpoint}: {Reason(ex, host)}", ex);
        }

        _serving = ServeAsync();
    }

    public string Address { get; }

    /// <summary>Why listening failed, as the rest of a sentence: <c>address already in use</c>.</summary>
    private static string Reason(Exception ex, string host)
    {
        bool isAddress = IPAddress.TryParse(host, out IPAddress? address);
        if (address is { AddressFamily: AddressFamily.InterNetworkV6 } && !OperatingSystem.IsWindows())
        {
            // The managed listener used off Windows misreads the bracketed address ("invalid port").
            return "IPv6 addresses are not supported here; use an IPv4 address such as 127.0.0.1 or 0.0.0.0";
        }

        string reason = ex is ArgumentException ? "not a valid host name or address" : ex.Message.TrimEnd('.');
        reason = reason.Length > 1 && char.IsUpper(reason[0]) && !char.IsUpper(reason[1]) ? char.ToLowerInvariant(reason[0]) + reason[1..] : reason;
        return isAddress || host is "localhost" or "*" or "+" ? reason : $"{reason}; give an address of this machine, such as 127.0.0.1 or 0.0.0.0";
    }

    public string Token => _token;

    public bool TokenWasGenerated { get; }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving.ConfigureAwait(false);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                // The listener was stopped: the run is over.
                return;
            }

            try
            {
                Handle(context);
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException)
            {
                // The client went away mid-answer; nothing to do.
                _log.LogDebug(ex, "control request aborted");
            }
        }
    }

    private void Handle(HttpListenerContext context)
    {
        HttpListenerRequest request = context.Request;
        string path = request.Url?.AbsolutePath.TrimEnd('/') ?? "";
        switch ((request.HttpMethod, path))
        {
            case ("GET", "/metrics"):
                Reply(context, 200, _exporter.Render(), "text/plain; version=0.0.4; charset=utf-8");
                break;
            case ("GET", "/herd"):
                Json(context, 200, new { num = _scheduler.TargetWorkers });
                break;
            case ("PATCH", "/herd") or ("PUT", "/herd"):
                Resize(context);
                break;
            case (_, "/herd") or (_, "/metrics"):
                Json(context, 405, new { error = $"{request.HttpMethod} is not allowed on {path}" });
                break;
            default:
                Json(context, 404, new { error = $"no such endpoint: {path}; try /metrics or /herd" });
                break;
        }
    }

    private void Resize(HttpListenerContext context)
    {
        string? authorization = context.Request.Headers["Authorization"];
        if (authorization is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization), Encoding.UTF8.GetBytes($"Bearer {_token}")))
        {
            context.Response.AddHeader("WWW-Authenticate", "Bearer");
            Json(context, 401, new { error = "missing or wrong token: send Authorization: Bearer <token>" });
            return;
        }

        string body;
        using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
        {
            body = reader.ReadToEnd();
        }

        if (ParseNum(body) is { } error)
        {
            Json(context, 400, new { error });
            return;
        }

        int num = JsonDocument.Parse(body).RootElement.GetProperty("num").GetInt32();
        _scheduler.Resize(num);
        Json(context, 200, new { num });
    }

    /// <summary>Returns what is wrong with a resize body, or null when it is <c>{"num": N}</c> with N from 0 to the maximum.</summary>
    internal static string? ParseNum(string body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return "the body must be JSON: {\"num\": N}";
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("num", out JsonElement num))
            {
                return "the body must be {\"num\": N}";
            }

            if (num.ValueKind != JsonValueKind.Number || !num.TryGetInt64(out long value))
            {
                return "num must be a whole number";
            }

            if (value < 0)
            {
                return "num must not be negative";
            }

            return value > Scheduler.MaxWorkers ? $"num must be at most {Scheduler.MaxWorkers}" : null;
        }
    }

    private static void Json(HttpListenerContext context, int status, object body) =>
        Reply(context, status, JsonSerializer.Serialize(body), "application/json; charset=utf-8");

    private static void Reply(HttpListenerContext context, int status, string body, string contentType)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength64 = bytes.Length;
        context.Response.OutputStream.Write(bytes);
        context.Response.Close();
    }
}
