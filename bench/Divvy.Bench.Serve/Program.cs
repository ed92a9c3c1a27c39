using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Divvy.Client;

// divvy serve's figures, against a running server (bench/serve.sh starts one):
//   Divvy.Bench.Serve SOCKET [COUNT]        true through the server vs Process.Start; items; 8 clients
// Prints markdown rows: what, p50, p99, per second.
string socket = args.Length > 0 ? args[0] : ServeEndpoint.DefaultSocketPath;
int count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 500;

await Row("`Process.Start(\"true\")` + `WaitForExit` in the caller (baseline)", count, async () =>
{
    using Process process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
    await process.WaitForExitAsync();
});

await using (DivvyClient client = await DivvyClient.ConnectAsync(socket))
{
    await Row("`true` through divvy serve, one connection (C# client)", count, async () =>
    {
        RemoteTextOutput output = await client.RunAndCaptureTextAsync("true");
        Check(output.ExitStatus.ExitCode == 0, "true failed");
    });
}

await Row("`true` through divvy serve, a new connection per request", count, async () =>
{
    await using DivvyClient client = await DivvyClient.ConnectAsync(socket);
    await client.RunAndCaptureTextAsync("true");
});

await using (DivvyClient client = await DivvyClient.ConnectAsync(socket))
{
    if (client.Job is not null)
    {
        await Row($"job item round trip, warm workers ({client.Job})", count * 4, async () =>
        {
            JsonObject done = await client.PerformAsync(JsonValue.Create(7));
            Check((string?)done["status"] == "Succeeded", "the item failed");
        });
    }
}

// Requests per second with 8 clients, each on its own connection, running true back to back.
const int clients = 8;
var clock = Stopwatch.StartNew();
int total = 0;
await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
{
    await using DivvyClient client = await DivvyClient.ConnectAsync(socket);
    for (int i = 0; i < count / 2; i++)
    {
        await client.RunAndCaptureTextAsync("true");
        Interlocked.Increment(ref total);
    }
}));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| `true`, {clients} concurrent clients | | | {total / clock.Elapsed.TotalSeconds:F0} |"));

static async Task Row(string what, int count, Func<Task> once)
{
    for (int i = 0; i < 20; i++)
    {
        await once();
    }

    var times = new double[count];
    var all = Stopwatch.StartNew();
    for (int i = 0; i < count; i++)
    {
        long started = Stopwatch.GetTimestamp();
        await once();
        times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    Array.Sort(times);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {what} | {times[count / 2]:F2} ms | {times[(int)(count * 0.99)]:F2} ms | {count / all.Elapsed.TotalSeconds:F0} |"));
}

static void Check(bool condition, string message)
{
    if (!condition)
    {
        throw new InvalidOperationException(message);
    }
}
