using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Divvy.Dashboard;

internal sealed partial class DashboardServer
{
    private static readonly TimeSpan s_pushEvery = TimeSpan.FromSeconds(1);
    private static readonly byte[] s_page = PageBytes();

    private Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        string path = request.Path.Value?.TrimEnd('/') ?? "";
        return (request.Method, path) switch
        {
            ("GET", "") or ("GET", "/index.html") => Bytes(context, 200, s_page, "text/html; charset=utf-8"),
            ("GET", "/events") => EventsAsync(context),
            ("GET", "/api/snapshot") => SnapshotAsync(context),
            ("GET", "/herd") => Json(context, 200, w => w.WriteNumber("num", _run.TargetWorkers)),
            ("PATCH" or "PUT", "/herd") => ResizeAsync(context),
            ("POST", "/stop") => StopAsync(context),
            (_, "/herd" or "/stop" or "/events" or "/api/snapshot") => Error(context, 405, $"{request.Method} is not allowed on {path}"),
            _ => Error(context, 404, $"no such endpoint: {path}; try /, /metrics, /herd or /api/snapshot"),
        };
    }

    private async Task SnapshotAsync(HttpContext context)
    {
        (byte[] json, bool _) = await _feed.LatestAsync(current: false, context.RequestAborted).ConfigureAwait(false);
        await Bytes(context, 200, json, "application/json; charset=utf-8").ConfigureAwait(false);
    }

    /// <summary>Server-sent events: the state once a second, until the run is over or the page goes away.</summary>
    private async Task EventsAsync(HttpContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        CancellationToken cancellationToken = linked.Token;
        HttpResponse response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        try
        {
            bool current = false;
            while (true)
            {
                (byte[] json, bool finished) = await _feed.LatestAsync(current, cancellationToken).ConfigureAwait(false);
                await response.WriteAsync("event: snapshot\ndata: ", cancellationToken).ConfigureAwait(false);
                await response.Body.WriteAsync(json, cancellationToken).ConfigureAwait(false);
                await response.WriteAsync(finished ? "\n\nevent: end\ndata: {}\n\n" : "\n\n", cancellationToken).ConfigureAwait(false);
                await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (finished)
                {
                    return;
                }

                try
                {
                    using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _runOver.Token);
                    await Task.Delay(s_pushEvery, wake.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The run is over: push its final state now, before the server stops.
                    current = true;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The page went away, or the dashboard is stopping.
        }
    }

    private async Task ResizeAsync(HttpContext context)
    {
        if (!Authorized(context))
        {
            await Unauthorized(context).ConfigureAwait(false);
            return;
        }

        string body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (HerdRequest.Parse(body, _run.MaxWorkers, out string? error) is not { } workers)
        {
            await Error(context, 400, error!).ConfigureAwait(false);
            return;
        }

        Log.Resized(_log, workers);
        _run.Resize(workers);
        await Json(context, 200, w => w.WriteNumber("num", workers)).ConfigureAwait(false);
    }

    private async Task StopAsync(HttpContext context)
    {
        if (!Authorized(context))
        {
            await Unauthorized(context).ConfigureAwait(false);
            return;
        }

        string body = await ReadBodyAsync(context).ConfigureAwait(false);
        string? mode = null;
        try
        {
            using JsonDocument document = JsonDocument.Parse(body.Length == 0 ? "{}" : body);
            mode = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("mode", out JsonElement value) ? value.GetString() : "graceful";
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Answered below: the mode is missing.
        }

        if (mode is not ("graceful" or "now"))
        {
            await Error(context, 400, "the body must be {\"mode\": \"graceful\"} or {\"mode\": \"now\"}").ConfigureAwait(false);
            return;
        }

        Log.StopRequested(_log, mode);
        _run.Stop(now: mode == "now");
        await Json(context, 202, w => w.WriteString("mode", mode)).ConfigureAwait(false);
    }

    private static async Task<string> ReadBodyAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static Task Unauthorized(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Error(context, 401, "missing or wrong token: send Authorization: Bearer <token>");
    }

    private static Task Error(HttpContext context, int status, string message) => Json(context, status, w => w.WriteString("error", message));

    private static Task Json(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }

        return Bytes(context, status, buffer.ToArray(), "application/json; charset=utf-8");
    }

    private static Task Bytes(HttpContext context, int status, byte[] body, string contentType)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    private static byte[] PageBytes()
    {
        using Stream page = typeof(DashboardServer).Assembly.GetManifestResourceStream("Divvy.Dashboard.dashboard.html")
            ?? throw new InvalidOperationException("the dashboard page is missing from the assembly");
        using var copy = new MemoryStream();
        page.CopyTo(copy);
        return copy.ToArray();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "the dashboard asked for {Workers} workers")]
        public static partial void Resized(ILogger logger, int workers);

        [LoggerMessage(2, LogLevel.Warning, "the dashboard asked the run to stop ({Mode})")]
        public static partial void StopRequested(ILogger logger, string mode);
    }
}
