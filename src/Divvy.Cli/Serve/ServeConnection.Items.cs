using System.Net.Sockets;
using System.Text.Json.Nodes;
using Divvy.Client;
using Divvy.Transport.Tcp;

namespace Divvy.Cli.Serve;

/// <summary>The connection's job items: queued to the run, and their outcome sent back as the EXIT (JSON, or MessagePack in STDOUT frames).</summary>
internal sealed partial class ServeConnection
{
    /// <summary>A job item: queued to the run (busy when its queue is full), and its outcome sent back as the EXIT.</summary>
    private async Task OnItemAsync(uint channel, JsonObject run)
    {
        if (_server.Items is not { } items)
        {
            await RejectAsync(channel, "no_job", "this server runs commands only: start it with a job (divvy serve job.dll) to perform items").ConfigureAwait(false);
            return;
        }

        if (_server.Draining)
        {
            await RejectAsync(channel, "shutting_down", "the server is stopping").ConfigureAwait(false);
            return;
        }

        if ((string?)run["format"] is "msgpack")
        {
            // The item's bytes come as STDIN frames; its result goes back as STDOUT before the EXIT.
            var input = new ServedItemInput(ServeFrame.MaxPayload * 64);
            lock (_commands)
            {
                _commands[channel] = input;
                _running.Add(PerformAsync(channel, items, input));
            }

            return;
        }

        await SubmitAsync(channel, items, () => items.Submit(run["item"]), asMessagePack: false).ConfigureAwait(false);
    }

    private async Task PerformAsync(uint channel, ServedJob items, ServedItemInput input)
    {
        try
        {
            if (await input.Complete.WaitAsync(_disconnected.Token).ConfigureAwait(false) is not { } bytes)
            {
                await RejectAsync(channel, "too_large", $"the item passed {ServeFrame.MaxPayload * 64} bytes").ConfigureAwait(false);
                return;
            }

            await SubmitAsync(channel, items, () => items.Submit(bytes), asMessagePack: true).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Disconnected before the item was whole.
        }
        finally
        {
            lock (_commands)
            {
                _commands.Remove(channel);
            }
        }
    }

    private async Task SubmitAsync(uint channel, ServedJob items, Func<Task<ServedOutcome>?> submit, bool asMessagePack)
    {
        Task<ServedOutcome>? settled;
        try
        {
            settled = submit();
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or NotSupportedException or InvalidCastException or ItemSerializationException or ArgumentException or MessagePack.MessagePackSerializationException)
        {
            await RejectAsync(channel, "bad_request", $"the item is not a {items.ItemType.Name}: {ex.Message}").ConfigureAwait(false);
            return;
        }

        if (settled is null)
        {
            await RejectAsync(channel, "busy", $"{_server.Slots.MaxQueue} items already wait (--max-queue)").ConfigureAwait(false);
            return;
        }

        lock (_commands)
        {
            _running.Add(SendWhenSettledAsync(channel, items, settled, asMessagePack));
        }
    }

    private async Task SendWhenSettledAsync(uint channel, ServedJob items, Task<ServedOutcome> settled, bool asMessagePack)
    {
        // A client that went away does not stop its item (it settles, as any item does); its EXIT goes nowhere.
        try
        {
            string startedAt = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            ServedOutcome outcome = await settled.WaitAsync(_disconnected.Token).ConfigureAwait(false);
            JsonObject exit = outcome.Exit;
            string status = exit["status"]?.GetValue<string>() ?? "";
            _server.Log(new Exec.LoggedRun(
                $"pid {_peerPid}, channel {channel}",
                $"item of {items.Name}",
                [],
                exit["worker"]?.GetValue<int>(),
                startedAt,
                exit["run_ms"]?.GetValue<double>() ?? 0,
                status == nameof(ItemStatus.Succeeded) ? 0 : 1,
                null,
                status == nameof(ItemStatus.Succeeded) ? null : $"{status}: {exit["error"]?["message"]}"));
            if (!asMessagePack)
            {
                exit["result"] = items.ResultJson(outcome.Result);
            }
            else if (status == nameof(ItemStatus.Succeeded))
            {
                byte[] result = items.ResultBytes(outcome.Result);
                for (int at = 0; at < result.Length; at += ServeFrame.MaxChunk)
                {
                    await SendAsync(new ServeFrame(ServeFrameType.Stdout, channel, result.AsMemory(at, Math.Min(ServeFrame.MaxChunk, result.Length - at)))).ConfigureAwait(false);
                }

                exit["result_bytes"] = result.Length;
            }

            await SendAsync(ServeFrame.Json(ServeFrameType.Exit, channel, exit)).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Disconnected.
        }
    }
}
